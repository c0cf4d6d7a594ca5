import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealValue } from '../../runtime/personal-data/field-cipher.js';
import { SealedPayloadOpener } from '../../runtime/personal-data/sealed-payload-opener.js';
import { isEsgenError } from '../../runtime/errors.js';

const key = createSecretKey(randomBytes(32));
const plain = { name: 'Ada', tier: 'gold', address: { street: '12 Analytical St', city: 'London' }, phones: [{ number: '+44 1' }, { number: '+44 2' }], tags: ['a', { deep: [1, 2] }] };
/** The payload as stored: every personal value (also in a list and a nested object) sealed. */
function sealedText(subject = 'ada'): string {
  return JSON.stringify({
    ...plain,
    name: sealValue(key, subject, plain.name),
    address: { ...plain.address, street: sealValue(key, subject, plain.address.street) },
    phones: plain.phones.map((phone) => ({ number: sealValue(key, subject, phone.number) })),
    tags: ['a', sealValue(key, subject, plain.tags[1])],
  });
}

describe('SealedPayloadOpener', () => {
  it('opens every sealed value of a payload, in nested objects and lists, keeping the rest', () => {
    const opener = new SealedPayloadOpener(key, 'ada', new Map());
    expect(opener.fromText(sealedText(), 'e1')).toEqual(plain);
    expect(opener.fromParsed(JSON.parse(sealedText()), 'e2')).toEqual(plain);
  });

  it('answers a payload it opened before from the memo, as a new object every time', () => {
    const memo = new Map<string, string>();
    const opener = new SealedPayloadOpener(key, 'ada', memo);
    const text = sealedText();
    const first = opener.fromText(text, 'e1') as typeof plain;
    first.address.street = 'changed by the caller';
    expect(memo.size).toBe(1);
    const second = opener.fromText(text, 'e1');
    expect(second).toEqual(plain);
    expect(second).not.toBe(first);
  });

  it('opens a parsed payload in place and memoises its values by ciphertext', () => {
    const memo = new Map<string, string>();
    const data = JSON.parse(sealedText());
    expect(new SealedPayloadOpener(key, 'ada', memo).fromParsed(data, 'e1')).toBe(data);
    expect(data).toEqual(plain);
    expect([...memo.keys()].every((text) => text.startsWith('v1:'))).toBe(true);
  });

  it('refuses a value sealed for another subject, or altered, with PersonalDataCorrupt naming the event', () => {
    const opener = new SealedPayloadOpener(key, 'ada', new Map());
    const other = sealedText('grace');
    const altered = sealedText().replace(/"v1:(.)/, (_, c: string) => `"v1:${c === 'A' ? 'B' : 'A'}`);
    for (const [text, eventId] of [[other, 'e-other'], [altered, 'e-altered']] as const) {
      const error = (() => {
        try {
          opener.fromText(text, eventId);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(isEsgenError(error, 'ESG254')).toBe(true);
      expect(error).toMatchObject({ subjectId: 'ada' });
      expect(String((error as Error).message)).toContain(eventId);
    }
  });
});
