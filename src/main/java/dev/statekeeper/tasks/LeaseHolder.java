package dev.statekeeper.tasks;

/**
 * Who holds a lease: the subject of the key that claimed ({@code agent:w1}) and the agent name the
 * claim gave ({@code worker-3}). Both must match for a heartbeat, complete or fail, so a key
 * cannot act on another key's lease by sending its agent name.
 */
record LeaseHolder(String subject, String agent) {

  /** How the audit trail names the holder: {@code agent:w1/worker-3}. */
  String actor() {
    return subject + "/" + agent;
  }
}
