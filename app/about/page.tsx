import type { Metadata } from 'next'
import Link from 'next/link'
import { readAboutDocs } from '../../components/server/about-docs'
import { Markdown } from '../../components/server/markdown'

/** Tab title and description of /about. */
export const metadata: Metadata = {
  title: 'How it works',
  description: 'How Latentscape generates its scenery, the model and data cards, credits, licences and provenance.',
}

// Rendered once at build time from the repository's cards: the page is static.
export const dynamic = 'force-static'

/** /about: an honest account of the generators, the model and data cards, credits, licences and provenance. */
export default function AboutPage() {
  const docs = readAboutDocs()
  return (
    <main className="about">
      <Link href="/" className="about-back">
        ← Latentscape
      </Link>
      <p className="eyebrow">About</p>
      <h1>How Latentscape works</h1>
      <p>
        Every floor, wall and trim texture you walk past is <strong>AI-generated</strong>: drawn on your own device by a
        neural network the moment a room comes into view. Nothing is downloaded but the network’s weights, and nothing
        you do leaves your device.
      </p>

      <h2>The generators</h2>
      <ul>
        <li>
          The <code>surface</code> generator is a PSGAN-style fully convolutional generative adversarial network
          (Bergmann et al. 2017). Its input is a spatial field of latent vectors rather than a single vector, so the
          same weights paint a 128 px preview or a 1024 px texture, and circular padding in both axes makes every
          texture tile seamlessly.
        </li>
        <li>
          It was trained by this project, in PyTorch on an ordinary CPU, on about {docs.model.trainImages ?? 800}{' '}
          CC-BY-SA texture images from Debian’s <code>0ad-data</code> (0 A.D.) and <code>redeclipse-data</code> (Red
          Eclipse) packages{docs.model.steps !== undefined ? `, for ${docs.model.steps} steps` : ''}. It is small and
          young: expect plausible colour and grain more than crisp bricks or planks.
        </li>
        <li>
          In your browser it runs in a Web Worker with TensorFlow.js (WebGPU, then WebGL, WASM or CPU). A world’s seed
          drives a smooth walk through latent space, so neighbouring rooms look related and distant ones differ; the
          same link gives everyone the same world.
        </li>
        <li>
          {docs.hasSkyModel ? (
            <>The sky comes from a second generator trained the same way on equirectangular panoramas.</>
          ) : (
            <>
              <strong>The sky is not generated yet.</strong> A sky model has not been trained; until it is, worlds show
              a plain placeholder gradient sky.
            </>
          )}
        </li>
      </ul>

      <h2>Model card</h2>
      <p>
        <code>public/models/surface/card.md</code> (model <code>{docs.model.version}</code>):
      </p>
      <div className="about-card" data-testid="model-card">
        <Markdown source={docs.modelCard} />
      </div>

      <h2>Data card</h2>
      <div className="about-card" data-testid="data-card">
        <Markdown source={docs.dataCard} />
      </div>

      <h2>Credits</h2>
      <div className="about-card" data-testid="credits">
        <Markdown source={docs.credits} />
      </div>

      <h2>Licences</h2>
      <ul>
        <li>
          Generator weights: <strong>{docs.model.licence}</strong>, the share-alike licence of the training images; the
          textures they produce are offered under the same licence, with the credits above.
        </li>
        <li>Code: no licence has been declared yet.</li>
      </ul>

      <h2>Copyright</h2>
      <ul>
        <li>
          Only openly licensed images are used for training, each one recorded with its package, author and licence in
          the data card; every author is credited.
        </li>
        <li>
          A nearest-neighbour check compares generated patches with the training set, so that samples are not copies of
          training images: <code>nn_ratio</code> is the distance from samples to their nearest training patch divided by
          the same distance for held-out real images (≥ 1 means samples are no closer to the training data than new real
          images are).{' '}
          {docs.nnRatio !== undefined ? (
            <>
              Current model: <strong>nn_ratio = {docs.nnRatio}</strong>.
            </>
          ) : (
            <>It has not been computed for the current model yet.</>
          )}
        </li>
      </ul>

      <h2>Misinformation</h2>
      <ul>
        <li>The app labels its scenery as “AI-generated scenery” wherever it is shown.</li>
        <li>
          Every exported image carries provenance metadata: an XMP packet with the IPTC digital source type{' '}
          <code>trainedAlgorithmicMedia</code>, plus the model, its version and weights hash, the world seed, room and a
          link back to that spot.
        </li>
      </ul>
    </main>
  )
}
