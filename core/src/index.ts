export { createKernel } from './kernel/kernel.js';
export type { Kernel, KernelOptions, InlineBundle } from './kernel/kernel.js';
export { startTestKernel } from './testing/start-test-kernel.js';
export { ERRORS, keelError } from './errors.js';
export type { ErrorCode } from './errors.js';
