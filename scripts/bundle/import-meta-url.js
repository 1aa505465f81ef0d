// Injected into the CommonJS bundle (scripts/bundle.mjs): what `import.meta.url` means in the sources.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
