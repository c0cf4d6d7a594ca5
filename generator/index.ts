// Public entry of `esgen`: the generator API (load → validate → IR → emit → write).
export type * from './ir/types.js';
