'use client'

import Link from 'next/link'
import { useSyncExternalStore } from 'react'
import { getRecentWorlds, getServerRecentWorlds, subscribeRecentWorlds } from '../worlds/recent-worlds'

/**
 * Landing-page list of worlds this browser visited recently, each with a small generated sky thumbnail (the world's
 * share card: its start room's sky and floor, painted on the server by the same generators); renders nothing when
 * empty.
 */
export function RecentWorldsList() {
  const seeds = useSyncExternalStore(subscribeRecentWorlds, getRecentWorlds, getServerRecentWorlds)
  if (seeds.length === 0) return null
  return (
    <nav className="recent" aria-label="Recent worlds">
      <span className="recent-label">Recent</span>
      <ul>
        {seeds.map((seed) => (
          <li key={seed}>
            <Link href={`/w/${encodeURIComponent(seed)}`} className="recent-link mono">
              {/* A server-rendered PNG of the generated sky; next/image would only re-encode it. */}
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img
                className="recent-thumb"
                src={`/w/${encodeURIComponent(seed)}/opengraph-image`}
                alt=""
                width={48}
                height={25}
                loading="lazy"
                decoding="async"
              />
              {seed}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
