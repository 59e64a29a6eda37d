import Link from 'next/link'
import { NewWorldForm } from '../components/dom/new-world-form'
import { PhotoWorld } from '../components/dom/photo-world'
import { RecentWorldsList } from '../components/dom/recent-worlds-list'

/** Landing page: what Latentscape is, and the way into a world. */
export default function HomePage() {
  return (
    <main className="landing">
      <div className="landing-backdrop" aria-hidden="true">
        <div className="landing-horizon" />
        <div className="landing-grid" />
      </div>
      <header className="landing-header">
        <span className="wordmark">Latentscape</span>
        <span className="landing-tag">WebXR · WebGPU</span>
      </header>
      <section className="hero">
        <p className="eyebrow">Generative VR, streamed from a seed</p>
        <h1>Latentscape</h1>
        <p className="pitch">
          Walk an endless world of rooms whose walls, floors and skies are painted as you go by neural networks running
          on your own GPU. One seed, one world, the same for everyone who opens the link.
        </p>
        <NewWorldForm />
        <PhotoWorld />
        <RecentWorldsList />
        <p className="ai-note">
          <span className="ai-dot" aria-hidden="true" />
          AI-generated scenery: every texture and the clouds of every sky are painted by GAN models trained for this
          project; the daylight is computed.
        </p>
      </section>
      <footer className="landing-footer">
        <span>Desktop, touch and VR headsets</span>
        <span>No accounts · no trackers · nothing leaves your device</span>
        <Link href="/about">How it works · credits · licences</Link>
      </footer>
    </main>
  )
}
