'use client'

import { useRouter } from 'next/navigation'
import { useId, useState, type FormEvent } from 'react'
import { canonicalSeed } from '../../world-gen'
import { randomSeed } from '../worlds/random-seed'

/** Landing-page controls: "New world" (random seed) and a seed field with "Go". */
export function NewWorldForm() {
  const router = useRouter()
  const fieldId = useId()
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)

  // A fresh visit starts in room 0,0 facing north, which is what a URL without `r`/`h` means.
  const open = (seed: string) => router.push(`/w/${encodeURIComponent(seed)}`)

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const result = canonicalSeed(value)
    if (!result.ok) {
      setError(result.error)
      return
    }
    open(result.seed)
  }

  return (
    <div className="start">
      <button type="button" className="button button-primary button-large" onClick={() => open(randomSeed())}>
        New world
      </button>
      <span className="start-or" aria-hidden="true">
        or
      </span>
      <form className="seed-form" onSubmit={onSubmit} noValidate>
        <label htmlFor={fieldId} className="visually-hidden">
          World seed
        </label>
        <input
          id={fieldId}
          name="seed"
          className="seed-input"
          placeholder="Type a seed, e.g. amber-fern-drift"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          value={value}
          aria-invalid={error !== null}
          aria-describedby={error !== null ? `${fieldId}-error` : undefined}
          onChange={(event) => {
            setValue(event.target.value)
            setError(null)
          }}
        />
        <button type="submit" className="button button-secondary">
          Go
        </button>
      </form>
      {error !== null && (
        <p id={`${fieldId}-error`} className="seed-error" role="alert">
          {error.charAt(0).toUpperCase() + error.slice(1)}.
        </p>
      )}
    </div>
  )
}
