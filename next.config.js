/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the server bundle.
  serverExternalPackages: ["@node-rs/argon2", "sharp", "mongodb"],
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
