"use client";

import { Field, inputClass } from "@/components/form-controls";
import type { ExpiryChoice } from "@/lib/share-types";

// The fields that "Share" (share-dialog.tsx) and "Edit" of a link
// (shares-list.tsx) both ask for, with the limits of the share schema.

export const EXPIRY_OPTIONS: { value: ExpiryChoice; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "1", label: "In 1 day" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "date", label: "On a date…" },
];

/** "Expires", and "Expiry date" once "On a date…" is chosen. `keep` adds a first option that leaves the expiry as it is. */
export function ExpiryFields<V extends string>({
  value,
  onChange,
  keep,
  date,
  onDateChange,
  minDate,
}: {
  value: V;
  onChange: (value: V) => void;
  keep?: string;
  date: string;
  onDateChange: (date: string) => void;
  minDate?: string;
}) {
  return (
    <>
      <Field label="Expires">
        {(control) => (
          <select {...control} value={value} onChange={(e) => onChange(e.target.value as V)} className={inputClass}>
            {keep ? <option value="keep">{keep}</option> : null}
            {EXPIRY_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {value === "date" ? (
        <Field label="Expiry date">
          {(control) => <input {...control} type="date" required min={minDate} value={date} onChange={(e) => onDateChange(e.target.value)} className={inputClass} />}
        </Field>
      ) : null}
    </>
  );
}

/** A link's password: visitors must enter it before they see anything. */
export function PasswordField({
  label,
  hint,
  value,
  onChange,
  disabled,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
}) {
  return (
    <Field label={label} hint={hint}>
      {(control) => (
        <input
          {...control}
          type="password"
          autoComplete="new-password"
          maxLength={128}
          value={value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
          className={inputClass}
        />
      )}
    </Field>
  );
}
