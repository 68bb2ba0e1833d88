const TONES = {
  active: "bg-sky-600 dark:bg-sky-500",
  done: "bg-emerald-600 dark:bg-emerald-500",
  error: "bg-red-600 dark:bg-red-500",
} as const;

export type Tone = keyof typeof TONES;

/** A labelled progressbar: screen readers hear `valueText` ("Uploading 42%"), not just the number. */
export function ProgressBar({
  label,
  value,
  valueText,
  tone,
  indeterminate = false,
}: {
  label: string;
  value: number;
  valueText: string;
  tone: Tone;
  indeterminate?: boolean;
}) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={valueText}
      className="h-1.5 min-w-0 flex-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-200 ease-out motion-reduce:transition-none ${TONES[tone]} ${
          indeterminate ? "animate-pulse" : ""
        }`}
        style={{ width: `${Math.max(0, Math.min(100, value))}%` }}
      />
    </div>
  );
}
