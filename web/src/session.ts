import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./api.ts";

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  return useContext(MeContext)!;
}

/** Viewers see everything but change nothing; pages hide the controls they could not use. */
export function useIsAdmin(): boolean {
  return useMe().role === "admin";
}
