import { describe, expect, it } from 'vitest';
import { scrub } from '../../bot/delivery/outbox-worker.js';

describe('scrub (provider error text kept in logs and the outbox)', () => {
  it('removes e-mail addresses and phone-like numbers, and bounds the length', () => {
    expect(scrub('550 5.1.1 <salem.alkaabi@example.om>: Recipient address rejected')).toBe('550 5.1.1 <<address>>: Recipient address rejected');
    expect(scrub('Recipient +968 9234 5678 is not a WhatsApp user')).toBe('Recipient <number> is not a WhatsApp user');
    expect(scrub('x'.repeat(1000))).toHaveLength(300);
  });
});
