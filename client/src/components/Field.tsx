import { useId, type InputHTMLAttributes, type ReactNode, type Ref, type TextareaHTMLAttributes } from 'react';

interface FieldLabels {
  label: string;
  hint?: string;
  error?: string;
}

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** The label, hint and inline error around one control, wired for screen readers. */
function LabelledField(props: FieldLabels & { control: (wiring: ControlProps) => ReactNode }) {
  const { label, hint, error } = props;
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {props.control({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
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

/** A labelled input with its hint and inline error (`ref` reaches the input: focus goes back to it). */
export function Field(props: FieldLabels & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const { label, hint, error, ...input } = props;
  return <LabelledField label={label} hint={hint} error={error} control={(wiring) => <input {...wiring} {...input} />} />;
}

/** A labelled multi-line field (connection strings and invoices are long), styled like Field. */
export function TextAreaField(props: FieldLabels & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { label, hint, error, ...area } = props;
  return <LabelledField label={label} hint={hint} error={error} control={(wiring) => <textarea {...wiring} className="long-text" rows={3} spellCheck={false} {...area} />} />;
}

export function FormError(props: { message: string | null | undefined }) {
  if (!props.message) return null;
  return (
    <div className="form-error" role="alert">
      {props.message}
    </div>
  );
}
