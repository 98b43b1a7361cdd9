/**
 * The XML WeCom posts to a 指令回调URL: the event document (encrypted) and the envelope
 * carrying the ciphertext. Kept apart from the emitter so the escaping is testable alone.
 */

/** A text field, or a group of text fields (`<ChatArchiveApi><Edition>2</Edition></ChatArchiveApi>`). */
export type XmlFieldValue = string | number | { readonly [child: string]: string | number };

const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Wraps text in CDATA. A `]]>` inside the value would end the section early, so it is split across two sections. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: XmlFieldValue): string {
  if (!TAG_NAME.test(name)) {
    throw new TypeError(`callback field name must match ${TAG_NAME}, got ${JSON.stringify(name)}`);
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([child, inner]) => element(child, inner))
      .join('')}</${name}>`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`callback field ${name} must be a finite number, got ${value}`);
    return `<${name}>${value}</${name}>`;
  }
  return `<${name}>${cdata(value)}</${name}>`;
}

/** `<xml>` with the fields in the given order: strings in CDATA, numbers bare (as WeCom does). */
export function eventXml(fields: ReadonlyArray<readonly [string, XmlFieldValue]>): string {
  return `<xml>${fields.map(([name, value]) => element(name, value)).join('')}</xml>`;
}

/** The posted body: the ciphertext addressed to the receiver; AgentID is empty for suite callbacks. */
export function envelopeXml(receiveId: string, encrypted: string): string {
  return `<xml><ToUserName>${cdata(receiveId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('')}</AgentID></xml>`;
}
