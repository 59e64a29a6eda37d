'use client'

import { useFrame, useThree } from '@react-three/fiber'
import { useEffect, useMemo, type RefObject } from 'react'
import { Box3, BufferAttribute, BufferGeometry, Sphere, Vector3, type DirectionalLight } from 'three'
import { useStore } from 'zustand'
import {
  meshRoom,
  SURFACE_SLOTS,
  type MeshBuffers,
  type RoomKey,
  type RoomSpec,
  type SurfaceSlot,
} from '../../world-gen'
import type { FrameStats } from '../session/frame-stats'
import type { PendingUpload, WorldStreamer } from '../streaming/world-streamer'
import { createRoomMaterials, type RoomSurfaces } from './room-surfaces'
import { useShadowCaster } from './shadow-updates'

/** Most generated textures uploaded to the GPU in one frame, so uploads are spread across frames. */
export const MAX_UPLOADS_PER_FRAME = 1

/** A BufferGeometry over one slot's typed arrays, its bounds taken from the mesher instead of recomputed. */
function buildGeometry(buffers: MeshBuffers): BufferGeometry {
  const geometry = new BufferGeometry()
  geometry.setAttribute('position', new BufferAttribute(buffers.positions, 3))
  geometry.setAttribute('normal', new BufferAttribute(buffers.normals, 3))
  geometry.setAttribute('uv', new BufferAttribute(buffers.uvs, 2))
  geometry.setIndex(new BufferAttribute(buffers.indices, 1))
  const { min, max } = buffers.bounds
  geometry.boundingBox = new Box3(new Vector3(...min), new Vector3(...max))
  geometry.boundingSphere = geometry.boundingBox.getBoundingSphere(new Sphere())
  return geometry
}

/** One room: its three slot meshes at the room centre, with the materials `surfaces` textures as results arrive. */
function StreamedRoom({
  roomKey,
  spec,
  surfaces,
  onShadow,
  sun,
}: {
  roomKey: RoomKey
  spec: RoomSpec
  surfaces: RoomSurfaces
  /** Called as the renderer draws one of its meshes into the shadow map. */
  onShadow: () => void
  sun: RefObject<DirectionalLight | null>
}) {
  // Built from the worker-free mesher on the main thread: a room is a few hundred triangles (well under 1 ms).
  const geometries = useMemo(() => {
    const buffers = meshRoom(spec)
    const out: Partial<Record<SurfaceSlot, BufferGeometry>> = {}
    for (const slot of SURFACE_SLOTS) if (buffers[slot].indices.length > 0) out[slot] = buildGeometry(buffers[slot])
    return out
  }, [spec])
  useEffect(() => () => Object.values(geometries).forEach((g) => g.dispose()), [geometries])

  // Its meshes cast shadows: the shadow map is redrawn when they come and go within the sun's shadow camera.
  const bounds = useMemo(() => {
    const box = new Box3()
    for (const g of Object.values(geometries)) if (g.boundingBox !== null) box.union(g.boundingBox)
    return box.translate(new Vector3(spec.centerM[0], 0, spec.centerM[1]))
  }, [geometries, spec])
  useShadowCaster(sun, bounds)
  const materials = useMemo(() => createRoomMaterials(), [])
  // `surfaces` owns the materials (and the textures it puts on them) from attach until detach.
  useEffect(() => {
    surfaces.attach(roomKey, materials)
    return () => surfaces.detach(roomKey)
  }, [surfaces, roomKey, materials])

  return (
    <group position={[spec.centerM[0], 0, spec.centerM[1]]}>
      {SURFACE_SLOTS.map((slot) => {
        const geometry = geometries[slot]
        if (geometry === undefined) return null
        // dispose={null}: geometry and materials are owned above, not by the reconciler.
        return (
          <mesh
            key={slot}
            geometry={geometry}
            material={materials[slot]}
            customDepthMaterial={surfaces.depthMaterial}
            onBeforeShadow={onShadow}
            castShadow
            receiveShadow
            dispose={null}
          />
        )
      })}
    </group>
  )
}

/** Every resident room of the streamer, and the per-frame texture upload loop. */
export function StreamedRooms({
  streamer,
  surfaces,
  frames,
  sun,
}: {
  streamer: WorldStreamer
  surfaces: RoomSurfaces
  frames: FrameStats
  /** The sun (WorldSky drives it): rooms outside its shadow camera come and go without redrawing the shadow map. */
  sun: RefObject<DirectionalLight | null>
}) {
  // Only the list of resident rooms decides what mounts; textures never re-render React.
  const keys = useStore(streamer.store, (state) => state.rooms)
  const gl = useThree((state) => state.gl)
  // One callback for the life of `surfaces`, so the frame loop allocates nothing.
  const canUpload = useMemo(() => (key: RoomKey) => surfaces.has(key), [surfaces])
  const onShadow = useMemo(() => () => frames.note('shadow'), [frames])

  useFrame(() => {
    // At most MAX_UPLOADS_PER_FRAME textures a frame; no store writes here (they would re-render React every frame).
    for (let n = 0; n < MAX_UPLOADS_PER_FRAME; n++) {
      const upload: PendingUpload | undefined = streamer.takeUpload(canUpload)
      if (upload === undefined) break
      // The upload itself carries the options (uvScale, family): nothing is allocated per frame.
      const t0 = performance.now()
      if (surfaces.upload(gl, upload.key, upload.slot, upload.pixels, upload.width, upload.height, upload))
        streamer.markUploaded(upload)
      frames.note('upload', performance.now() - t0)
    }
  })

  return (
    <>
      {keys.map((key) => {
        const spec = streamer.residentSpec(key)
        return spec === undefined ? null : (
          <StreamedRoom key={key} roomKey={key} spec={spec} surfaces={surfaces} onShadow={onShadow} sun={sun} />
        )
      })}
    </>
  )
}
