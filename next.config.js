/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the server bundle.
  serverExternalPackages: ["@node-rs/argon2", "sharp", "mongodb"],
  // The analysis worker (lib/analysis-pool.ts) is a plain script loaded at run time, with the
  // model weights and .wasm it reads from node_modules: traced in for standalone/Vercel output.
  outputFileTracingIncludes: {
    "/**": [
      "./lib/analysis-worker.mjs",
      "./node_modules/@vladmandic/human/dist/human.node-wasm.js",
      "./node_modules/@vladmandic/human/package.json",
      "./node_modules/@vladmandic/human/models/centernet.*",
      "./node_modules/@vladmandic/human/models/blazeface.*",
      "./node_modules/@tensorflow/**",
      // nsfwjs and its one model in use (the weights are base64 in .min.js files), plus
      // what the @tensorflow/tfjs bundle it requires loads at run time.
      "./node_modules/nsfwjs/package.json",
      "./node_modules/nsfwjs/dist/cjs/**",
      "./node_modules/nsfwjs/dist/models/package.json",
      "./node_modules/nsfwjs/dist/models/mobilenet_v2/**",
      "./node_modules/long/**",
      "./node_modules/seedrandom/**",
    ],
  },
  experimental: {
    serverActions: {
      // Upload parts are 4 MiB (DESIGN.md §4) plus multipart framing; Vercel caps bodies at 4.5 MB.
      bodySizeLimit: "4.5mb",
    },
  },
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
