/** What a list page says instead of an empty grid: a heading and a hint. */
export function EmptyMessage({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="mt-10 flex flex-col items-center gap-2 text-center">
      <h2 className="text-xl font-medium">{title}</h2>
      <p className="text-zinc-600 dark:text-zinc-400">{children}</p>
    </div>
  );
}
