// Imported first by extension.ts, so the activation time it reports includes loading the rest of the bundle.
export const bundleLoadStarted = performance.now();
