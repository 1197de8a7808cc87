/**
 * Raw RFC 822 messages for e-mail tests, written byte by byte: Arabic text in windows-1256 or
 * UTF-8, bodies in quoted-printable, base64 or 8bit, RFC 2047 encoded-word subjects, threading
 * and RFC 3834 headers.
 */

const CP1256 = new Map<string, number>();
{
  const dec = new TextDecoder('windows-1256');
  for (let b = 0x80; b <= 0xff; b++) CP1256.set(dec.decode(Uint8Array.of(b)), b);
}

/** Encodes text in windows-1256 (Arabic Windows code page); throws on characters it lacks. */
export function cp1256(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) out.push(code);
    else {
      const b = CP1256.get(ch);
      if (b === undefined) throw new Error(`not in windows-1256: U+${code.toString(16)}`);
      out.push(b);
    }
  }
  return Buffer.from(out);
}

/** Quoted-printable (RFC 2045) of bytes, soft line breaks at 76 columns, CRLF line ends kept. */
export function quotedPrintable(bytes: Buffer): string {
  const lines: string[] = [];
  let line = '';
  const push = (token: string): void => {
    if (line.length + token.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(line);
      line = '';
      i++;
    } else if (b === 0x0a) {
      lines.push(line);
      line = '';
    } else if ((b >= 33 && b <= 126 && b !== 61) || (b === 32 && bytes[i + 1] !== 0x0a && bytes[i + 1] !== 0x0d)) push(String.fromCharCode(b));
    else push(`=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  lines.push(line);
  return lines.join('\r\n');
}

const base64Lines = (bytes: Buffer): string => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

/** Options of a fixture message. */
export interface RawMailOptions {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  /** Extra headers (Auto-Submitted, Precedence, List-Id...). */
  headers?: Record<string, string>;
  text?: string;
  html?: string;
  charset?: 'utf-8' | 'windows-1256';
  encoding?: 'quoted-printable' | 'base64' | '8bit';
  attachment?: { filename: string; contentType: string; content: Buffer };
}

function encodeText(text: string, charset: string): Buffer {
  return charset === 'windows-1256' ? cp1256(text) : Buffer.from(text, 'utf8');
}

function part(text: string, type: string, charset: string, encoding: string): string {
  const bytes = encodeText(text.replace(/\r?\n/g, '\r\n'), charset);
  const body = encoding === 'base64' ? base64Lines(bytes) : encoding === 'quoted-printable' ? quotedPrintable(bytes) : bytes.toString('latin1');
  return `Content-Type: ${type}; charset="${charset}"\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
}

/** An encoded-word subject (RFC 2047): B for UTF-8, Q for windows-1256. */
function encodedWord(subject: string, charset: string): string {
  if (/^[\x20-\x7e]*$/.test(subject)) return subject;
  if (charset === 'windows-1256') {
    const q = [...cp1256(subject)]
      .map((b) =>
        b === 32 ? '_' : b >= 33 && b <= 126 && b !== 61 && b !== 63 && b !== 95 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
    return `=?windows-1256?Q?${q}?=`;
  }
  return `=?utf-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
}

/** A complete message as bytes. */
export function rawMail(o: RawMailOptions = {}): Buffer {
  const charset = o.charset ?? 'utf-8';
  const encoding = o.encoding ?? 'quoted-printable';
  const headers: string[] = [
    `From: ${o.from ?? 'Salim <salim@example.om>'}`,
    `To: ${o.to ?? 'helpdesk@bur.gov.om'}`,
    `Subject: ${encodedWord(o.subject ?? 'استفسار', charset)}`,
    `Date: ${o.date ?? 'Sun, 22 Nov 2026 09:00:00 +0400'}`,
    ...(o.messageId === null ? [] : [`Message-ID: <${o.messageId ?? `${Math.random().toString(36).slice(2)}@example.om`}>`]),
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references?.length ? [`References: ${o.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  const text = o.text ?? 'السلام عليكم';
  let body: string;
  if (!o.html && !o.attachment) body = part(text, 'text/plain', charset, encoding);
  else {
    const alt = o.html
      ? `Content-Type: multipart/alternative; boundary="alt-b"\r\n\r\n--alt-b\r\n${part(text, 'text/plain', charset, encoding)}--alt-b\r\n${part(o.html, 'text/html', charset, encoding)}--alt-b--\r\n`
      : part(text, 'text/plain', charset, encoding);
    body = o.attachment
      ? `Content-Type: multipart/mixed; boundary="mix-b"\r\n\r\n--mix-b\r\n${alt}--mix-b\r\nContent-Type: ${o.attachment.contentType}\r\nContent-Disposition: attachment; filename="${o.attachment.filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(o.attachment.content)}\r\n--mix-b--\r\n`
      : alt;
  }
  return Buffer.from(`${headers.join('\r\n')}\r\n${body}`, 'latin1');
}
