import { expect, test } from "bun:test";
import { LoginThrottle, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, TRUSTED_FOR_MS, WINDOW_MS } from "../../../src/auth/throttle.ts";

const WINDOW_S = WINDOW_MS / 1000;

/** A throttle whose clock the test sets, where admin@ signed in from 192.0.2.1 at time 0. */
function throttleWithTrustedAdmin() {
  const clock = { now: 0 };
  const throttle = new LoginThrottle(() => clock.now);
  expect(throttle.begin("192.0.2.1", "admin@example.com")).toBe(0);
  throttle.succeed("192.0.2.1", "admin@example.com");
  const spray = () => {
    for (let n = 0; n < MAX_FAILURES_PER_ADDRESS; n++) expect(throttle.begin("192.0.2.1", `made-up-${n}@example.com`)).toBe(0);
  };
  return { clock, throttle, spray };
}

test("an address over its bound waits out the window, except for a pair that signed in there, which keeps its own bound", () => {
  const { throttle, spray } = throttleWithTrustedAdmin();
  spray();
  expect(throttle.begin("192.0.2.1", "someone@example.com")).toBe(WINDOW_S);
  expect(throttle.begin("192.0.2.2", "someone@example.com")).toBe(0);
  for (let n = 0; n < MAX_FAILURES; n++) expect(throttle.begin("192.0.2.1", "admin@example.com")).toBe(0);
  expect(throttle.begin("192.0.2.1", "admin@example.com")).toBe(WINDOW_S);
});

test("the exemption lapses TRUSTED_FOR_MS after the last sign-in", () => {
  const { clock, throttle, spray } = throttleWithTrustedAdmin();
  clock.now = TRUSTED_FOR_MS;
  spray();
  expect(throttle.begin("192.0.2.1", "admin@example.com")).toBe(WINDOW_S);
  clock.now += WINDOW_MS;
  expect(throttle.begin("192.0.2.1", "admin@example.com")).toBe(0);
});
