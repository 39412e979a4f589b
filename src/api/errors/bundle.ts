/** Update bundles: the bundle reader's checks and the delta applier (on the device and in `headsetctl bundle`). */
export const bundleErrors = {
  BUNDLE_TRUNCATED: 'The update bundle ends before the end its header or signed manifest announces.',
  BUNDLE_MALFORMED: 'The file is not an update bundle, or its manifest is not valid canonical JSON of the bundle format.',
  BUNDLE_UNSUPPORTED_FORMAT: 'The update bundle uses a format version this software does not read.',
  BUNDLE_MANIFEST_TOO_LARGE: 'The update bundle announces a manifest larger than the limit.',
  BUNDLE_UNTRUSTED_KEY: 'The update bundle is signed by a key that is not trusted here.',
  BUNDLE_BAD_SIGNATURE: "The update bundle's manifest signature does not verify: the manifest or its signature was altered.",
  BUNDLE_BAD_LAYOUT: 'The signed manifest places the payloads at offsets that do not tile the bundle file.',
  BUNDLE_PAYLOAD_MISMATCH: 'A payload of the update bundle does not have the length or hash its signed manifest gives.',
  BUNDLE_TRAILING_DATA: 'The update bundle has bytes after its last payload.',
  DELTA_SOURCE_MISMATCH: 'The installed image is not the one the delta update was made from.',
  DELTA_TOOL_FAILED: "A delta tool (zstd, xz, xdelta3) failed to make or apply a delta for a reason other than the bundle's bytes.",
} as const;
