import type { Metadata, Viewport } from 'next'
import type { ReactNode } from 'react'
import { ServiceWorker } from '../components/offline/service-worker'
import './globals.css'

/** Site-wide metadata. */
export const metadata: Metadata = {
  title: { default: 'Latentscape', template: '%s · Latentscape' },
  description: 'An endless world of generative VR rooms, painted on your own GPU by neural networks.',
  applicationName: 'Latentscape',
}

/** Dark UI, edge-to-edge on phones and headsets. */
export const viewport: Viewport = {
  themeColor: '#07080c',
  colorScheme: 'dark',
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
}

/** Root layout: document shell only; the 3D view mounts inside the world route. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <ServiceWorker />
      </body>
    </html>
  )
}
