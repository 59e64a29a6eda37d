/** Full-screen status shown while the 3D view loads. */
export function LoadingScreen({ message }: { message: string }) {
  return (
    <div className="loading-screen" role="status" aria-live="polite">
      <div className="loading-spinner" aria-hidden="true" />
      <p>{message}</p>
    </div>
  )
}
