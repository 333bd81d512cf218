package dev.statekeeper.documents;

/** One chunk found by a search, best first; scores compare only within one answer. */
public record DocumentHit(String documentId, int chunk, String text, double score, String title, String source) {}
