"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Photos" },
  { href: "/albums", label: "Albums" },
  // Phones have room for four; /albums links to the shared links there, and the gallery's search to duplicates.
  { href: "/shares", label: "Shared links", phone: false },
  { href: "/duplicates", label: "Duplicates", phone: false },
  { href: "/trash", label: "Trash" },
  { href: "/settings", label: "Settings" },
] as const;

function isCurrent(href: string, path: string): boolean {
  if (href === "/") return path === "/" || path.startsWith("/photo/");
  return path === href || path.startsWith(`${href}/`);
}

/** The main nav; the current page is marked for everyone (underline, weight) and for screen readers (aria-current). */
export function NavLinks() {
  const path = usePathname() ?? "/";
  return (
    <nav aria-label="Main">
      <ul className="flex items-center gap-0.5 text-sm sm:gap-1">
        {LINKS.map((link) => {
          const { href, label } = link;
          const current = isCurrent(href, path);
          return (
            <li key={href} className={"phone" in link && !link.phone ? "max-sm:hidden" : undefined}>
              <Link
                href={href}
                aria-current={current ? "page" : undefined}
                className={`block rounded-md px-2 py-1.5 sm:px-3 ${
                  current
                    ? "bg-sky-100 font-semibold text-sky-900 underline decoration-2 underline-offset-4 dark:bg-sky-950 dark:text-sky-100"
                    : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
