// The soak's verdict on a sampled series (bench/soak/trend.ts) and the plot's axis maximum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { trendOf } from '../../../bench/soak/trend.ts';
import { roundUp } from '../../../bench/soak/svg-plot.ts';

const minutes = (values: readonly number[]) => values.map((value, minute) => ({ minute, value }));

test('a line rising 1 per minute rises 60 per hour; flat, growing and shrinking against 10 % of the mean', () => {
  const rising = trendOf(minutes([100, 101, 102, 103, 104]));
  assert.equal(rising.slopePerHour, 60);
  assert.equal(rising.verdict, 'growing');
  assert.equal(trendOf(minutes([200, 200.1, 199.9, 200, 200.05])).verdict, 'flat');
  assert.equal(trendOf(minutes([104, 103, 102, 101, 100])).verdict, 'shrinking');
});

test('no slope from fewer than two points, nor from a series of zeros', () => {
  assert.deepEqual(trendOf([]), { mean: 0, slopePerHour: 0, relativePerHour: 0, verdict: 'flat' });
  assert.equal(trendOf(minutes([5])).verdict, 'flat');
  assert.equal(trendOf(minutes([0, 0, 0])).verdict, 'flat');
});

test('the slope of a line is its slope whatever the noise-free offset, and a constant is flat', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 2, max: 120 }),
      (perMinute, offset, count) => {
        const trend = trendOf(minutes(Array.from({ length: count }, (_, minute) => offset + perMinute * minute)));
        assert.ok(Math.abs(trend.slopePerHour - perMinute * 60) < 1e-6 * Math.max(1, Math.abs(perMinute * 60)));
        assert.equal(trendOf(minutes(Array.from({ length: count }, () => offset))).verdict, 'flat');
      },
    ),
  );
});

test('the axis maximum is a round number at least the value', () => {
  assert.equal(roundUp(204), 250);
  assert.equal(roundUp(0), 1);
  assert.equal(roundUp(1000), 1000);
  fc.assert(
    fc.property(fc.double({ min: 1.0001, max: 1e9, noNaN: true }), (value) => {
      const top = roundUp(value);
      assert.ok(top >= value && top <= value * 1.5 + 1e-9, `${top} for ${value}`);
    }),
  );
});
