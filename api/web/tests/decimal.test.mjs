// The page's decimal arithmetic (js/decimal.js), in Node: money is never a
// float, a comma is refused in English, slippage rounds down but never to
// no protection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dec from '../static/js/decimal.js';

test('amounts convert exactly, both ways', () => {
  assert.equal(dec.toUnits('123.45', 2), 12345n);
  assert.equal(dec.toUnits('92233720368547758.07', 2), 9223372036854775807n);
  assert.equal(dec.fromUnits(9223372036854775807n, 2), '92233720368547758.07');
  assert.equal(dec.fromUnits(5n, 3), '0.005');
  assert.throws(() => dec.toUnits('1.234', 2), /too_many_decimals/);
  assert.equal(dec.cmp('0.10', '0.1'), 0);
  assert.equal(dec.cmp('2', '10.5'), -1);
});

test('what a person types: refused rather than guessed', () => {
  assert.deepEqual(dec.check(' +1.50 ', 2), { value: '1.50' });
  assert.deepEqual(dec.check('0.00', 2), { code: 'not_positive' });
  assert.deepEqual(dec.check('1.001', 2), { code: 'too_many_decimals', scale: 2 });
  assert.deepEqual(dec.check('1e3', 2), { code: 'invalid_decimal' });
  assert.deepEqual(dec.check('-1', 2), { code: 'invalid_decimal' });
  // English (the default): "1,234" could be 1234 or 1.234; neither is assumed.
  assert.deepEqual(dec.check('1,234', 3), { code: 'invalid_decimal' });
});

test('min_receive: rounded down at the scale, at least one unit of a quote', () => {
  assert.equal(dec.minReceive('7', '1', 0), '6');
  assert.equal(dec.minReceive('28.92', '0.5', 2), '28.77');
  assert.equal(dec.minReceive('1', '1', 0), '1');
  assert.equal(dec.minReceive('0', '1', 0), '0');
  assert.equal(dec.minReceive('5', '100', 0), '0');
});
