'use client'

import Link from 'next/link'
import { useSyncExternalStore } from 'react'
import { getRecentWorlds, getServerRecentWorlds, subscribeRecentWorlds } from '../recent-worlds'

/** Landing-page list of worlds this browser visited recently; renders nothing when there are none. */
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
              {seed}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}
