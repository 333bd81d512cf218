/**
 * LangGraph.js adapters on Statekeeper: a checkpointer (`StatekeeperSaver`) and a long-term
 * memory store (`StatekeeperStore`), both on the memory API of `@statekeeper/client`.
 */

export { StatekeeperSaver, CHECKPOINT_TYPE, WRITE_TYPE, FORMAT } from "./saver.js";
export type { StatekeeperSaverOptions, CheckpointValue, WriteValue, SerializedValue } from "./saver.js";
export { StatekeeperStore } from "./store.js";
export type { StatekeeperStoreOptions, StoreTtlConfig, StorePutOperation, StoreGetOperation } from "./store.js";
export { encodeSegment, decodeSegment } from "./encoding.js";
