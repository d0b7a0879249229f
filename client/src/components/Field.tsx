import { useId, type InputHTMLAttributes } from 'react';

/** A labelled input with its hint and inline error, wired for screen readers. */
export function Field(props: { label: string; hint?: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const { label, hint, error, ...input } = props;
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function FormError(props: { message: string | null | undefined }) {
  if (!props.message) return null;
  return (
    <div className="form-error" role="alert">
      {props.message}
    </div>
  );
}
