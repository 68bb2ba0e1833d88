import type { Metadata } from "next";

import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Image Vault", template: "%s · Image Vault" },
  description: "A private, encrypted home for your photos.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
