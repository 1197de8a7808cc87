import { describe, expect, it } from 'vitest';
import { AddressLimiter } from '../../bot/security/address-limiter.js';
import { limitKey } from '../../bot/security/http-guard.js';

describe('per-address limits', () => {
  it('key IPv4 addresses as they are and IPv6 ones by their /64 network', () => {
    expect(limitKey('203.0.113.5')).toBe('203.0.113.5');
    expect(limitKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(limitKey('2001:db8::1')).toBe(limitKey('2001:db8:0:0:ffff:1:2:3'));
    expect(limitKey('2001:0db8:0000:0001:aaaa::')).toBe('2001:db8:0:1::/64');
    expect(limitKey('2001:db8:0:1::1')).not.toBe(limitKey('2001:db8:0:2::1'));
  });

  it('allow `points` hits per window, then refuse until the window (or the block) ends', () => {
    let t = 0;
    const l = new AddressLimiter({ points: 3, durationSec: 60 }, () => t);
    expect([l.hit('a'), l.hit('a'), l.hit('a')]).toEqual([0, 0, 0]);
    expect(l.hit('a')).toBe(60);
    expect(l.hit('b')).toBe(0);
    t = 30_000;
    expect(l.hit('a')).toBe(30);
    t = 60_000;
    expect(l.hit('a')).toBe(0);

    const blocking = new AddressLimiter({ points: 1, durationSec: 60, blockSec: 300 }, () => t);
    expect(blocking.hit('c')).toBe(0);
    expect(blocking.hit('c')).toBe(300);
    t += 120_000;
    expect(blocking.blocked('c')).toBe(180);
    t += 180_000;
    expect(blocking.blocked('c')).toBe(0);
    expect(blocking.hit('c')).toBe(0);
  });
});
