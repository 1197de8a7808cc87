/** Files a request for a caller on the phone; the server applies the intake dialogue's validators and names a bad field. */
import { useState } from 'preact/hooks';
import { type ApiError, api } from './api.js';
import type { RequestSummary } from './api-types.js';
import type { TextKey } from './i18n.js';
import { Field, useApp } from './ui.js';

/** The form. */
export function FileRequestForm(p: { conversationId?: number; onFiled?: (reference: string) => void }) {
  const ctx = useApp();
  const { t, lang, ref } = ctx;
  const [serviceId, setServiceId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ field?: string | undefined; message: string } | undefined>();
  const service = ref.services.find((s) => s.id === serviceId);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const fields = Object.fromEntries(Object.entries(values).filter(([k, v]) => v.trim() && service?.fields.some((f) => f.id === k)));
    try {
      const r = await api<{ request: RequestSummary }>('POST', '/requests', {
        serviceId,
        language: lang,
        fields,
        ...(p.conversationId ? { conversationId: p.conversationId } : {}),
      });
      setError(undefined);
      setValues({});
      ctx.toast(`${t('filed')}: ${r.request.reference}`);
      p.onFiled?.(r.request.reference);
    } catch (err) {
      const a = err as ApiError;
      setError({ field: a.field, message: a.field?.startsWith('fields.') ? (a.message.includes('required') ? t('required') : t('invalid')) : a.message });
    }
  };
  return (
    <form class="file-request" onSubmit={submit}>
      <Field label={t('service')} for="file-service">
        <select id="file-service" value={serviceId} onChange={(e) => setServiceId(e.currentTarget.value)} required>
          <option value="">{t('chooseService')}</option>
          {ref.services.map((s) => (
            <option value={s.id}>{s.name[lang]}</option>
          ))}
        </select>
      </Field>
      {service?.fields.map((f) => (
        <Field
          label={`${t(`f_${f.id}` as TextKey)} ${f.required ? '' : t('optional')}`}
          for={`file-${f.id}`}
          error={error?.field === `fields.${f.id}` ? error.message : undefined}
        >
          {f.id === 'description' ? (
            <textarea id={`file-${f.id}`} rows={2} value={values[f.id] ?? ''} onInput={(e) => setValues({ ...values, [f.id]: e.currentTarget.value })} />
          ) : (
            <input id={`file-${f.id}`} value={values[f.id] ?? ''} onInput={(e) => setValues({ ...values, [f.id]: e.currentTarget.value })} dir="auto" />
          )}
        </Field>
      ))}
      {error && !error.field?.startsWith('fields.') ? (
        <p class="err" role="alert">
          {error.message}
        </p>
      ) : null}
      {service ? (
        <button type="submit" class="primary" id="file-submit">
          {t('submit')}
        </button>
      ) : null}
    </form>
  );
}
