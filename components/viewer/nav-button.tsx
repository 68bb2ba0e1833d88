"use client";

/**
 * Previous or Next beside the image. aria-disabled rather than disabled: a
 * disabled button drops focus, which would leave the arrow keys with nowhere
 * to go.
 */
export function NavButton({
  label,
  side,
  disabled,
  busy = false,
  onClick,
  children,
}: {
  label: string;
  side: "left" | "right";
  disabled: boolean;
  busy?: boolean;
  onClick: () => void;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-disabled={disabled}
      aria-busy={busy || undefined}
      onClick={() => {
        if (!disabled) onClick();
      }}
      className={`absolute top-1/2 flex size-11 -translate-y-1/2 items-center justify-center rounded-full bg-black/40 text-white ring-1 ring-white/15 backdrop-blur transition hover:bg-black/60 aria-disabled:cursor-default aria-disabled:opacity-30 aria-disabled:hover:bg-black/40 ${
        side === "left" ? "left-2 sm:left-3" : "right-2 sm:right-3"
      }`}
    >
      {children}
    </button>
  );
}
