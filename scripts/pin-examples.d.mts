// Types of scripts/pin-examples.mjs for the tests that import it.
export declare const OWN: string;
export declare const REFERENCE: RegExp;
export interface Reference {
  file: string;
  line: number;
  workflow: string;
  ref: string;
  version: string | null;
}
export declare function pinnedFiles(): string[];
export declare function references(): Reference[];
export declare function checkPins(): string[];
export declare function pin(sha: string, version: string): void;
