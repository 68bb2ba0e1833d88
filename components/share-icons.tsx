// Icons of the album and share actions, decorative like those in icons.tsx: every control that shows one has a text label.

type IconProps = { className?: string };

const stroke = { "aria-hidden": true, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 2 } as const;

export function AlbumIcon({ className }: IconProps) {
  return (
    <svg {...stroke} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M4 7h16v12H4zM7 4h10M9 15l2-2 2 2 3-3 2 2" />
    </svg>
  );
}

export function ShareIcon({ className }: IconProps) {
  return (
    <svg {...stroke} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" />
    </svg>
  );
}

export function RemoveIcon({ className }: IconProps) {
  return (
    <svg {...stroke} className={className}>
      <path strokeLinecap="round" strokeLinejoin="round" d="M5 12h14" />
    </svg>
  );
}
