// Errors a program can branch on: `e instanceof RootgradError && e.code === 'NO_WEBGPU'` instead of
// matching message text. The message says what to do in the environment the error happened in.

/** Why rootgrad could not do what was asked:
 * - NO_WEBGPU: no WebGPU here (no navigator.gpu, no 'webgpu' package in Node, or no adapter);
 * - INSECURE_CONTEXT: a browser page that is not a secure context (WebGPU needs https or localhost);
 * - NOT_INITIALISED: a tensor was made or run before `await init()`;
 * - DEVICE_LOST: the GPU device was lost (driver reset, tab in the background too long); call init() again;
 * - DISPOSED: a tensor was used after dispose();
 * - SHUT_DOWN: shutdown() closed the device this tensor or read belonged to. */
export type RootgradErrorCode = 'NO_WEBGPU' | 'INSECURE_CONTEXT' | 'NOT_INITIALISED' | 'DEVICE_LOST' | 'DISPOSED' | 'SHUT_DOWN';

export class RootgradError extends Error {
  readonly code: RootgradErrorCode;

  constructor(code: RootgradErrorCode, message: string) {
    super(message);
    this.name = 'RootgradError';
    this.code = code;
  }
}
