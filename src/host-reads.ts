// What a compiled step's recording reads of host state (src/compile.ts). A replay runs no host code of fn,
// so everything fn's host code decided from state that lives across calls (which tensor a module holds,
// which storage a tensor has, whether it requires a gradient, an optimiser's momentum being on, a
// module's training flag, the kernel variant chosen) is recorded here while fn runs eagerly, and a plan
// checks it is unchanged before each replay; a change runs the call eagerly and records again.
// This module imports nothing, so that tensors, modules, optimisers and variants can all report to it.

/** The recording being made, told of each read. */
export interface HostReads {
  /** A tensor's storage, gradient flag or host copy was read (called for every tensor; the recording keeps
   * those made before it started). */
  tensor(t: object): void;
  /** `read()` decided something fn dispatched: its value must be the same (Object.is) at each replay.
   * `owner` and `field` name it (one dependency per pair, the first read's value). */
  depend(owner: object, field: string, read: () => unknown): void;
}

export const hostReads: { active: HostReads | null } = { active: null };

/** Reports a host value that decides what a compiled step dispatches (no-op outside a recording). */
export function dependOn(owner: object, field: string, read: () => unknown): void {
  hostReads.active?.depend(owner, field, read);
}
