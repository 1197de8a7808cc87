import { describe, expect, it } from 'vitest';
import { FIELD_VALIDATORS, isConfirm } from '../../bot/handlers/intake-fields.js';

describe('what the intake accepts', () => {
  it('accepts what people write to confirm', () => {
    for (const yes of [
      'نعم',
      'اي',
      'إي',
      'إيه',
      'أكيد',
      'تمام',
      'موافق',
      'تأكيد',
      'نعم، أكيد',
      'yes',
      'Yes!',
      'ok',
      'OK',
      'sure',
      'confirm',
      'yes please',
      '👍',
      '👍🏽',
      '✅',
      'تمام 👍',
    ]) {
      expect(isConfirm(yes), yes).toBe(true);
    }
  });
  it('does not read other answers as a confirmation', () => {
    for (const no of ['لا', 'no', 'please', 'عندي شكوى', 'yes but change the phone', '👎', '', 'maybe later I will confirm it']) {
      expect(isConfirm(no), no).toBe(false);
    }
  });
  it('validates a name as a name: 2–6 words of letters, no intent words', () => {
    expect(FIELD_VALIDATORS.name('سالم بن علي الكعبي')).toBe('سالم بن علي الكعبي');
    expect(FIELD_VALIDATORS.name('John Michael Smith')).toBe('John Michael Smith');
    expect(FIELD_VALIDATORS.name("Aisha O'Neil")).toBe("Aisha O'Neil");
    for (const bad of [
      'سالم',
      'عندي شكوى على البلدية',
      'أبي أكلم موظف',
      'أقترح تشجير الشارع العام',
      'I want to talk to an agent',
      'Salim 123',
      'a b c d e f g h',
      'واحد اثنان ثلاثة أربعة خمسة ستة سبعة',
    ]) {
      expect(FIELD_VALIDATORS.name(bad), bad).toBeUndefined();
    }
  });
});
