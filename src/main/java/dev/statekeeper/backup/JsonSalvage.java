package dev.statekeeper.backup;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reads what concurrent writers leave of a JSON state file: a UTF-8 BOM and NUL bytes are
 * removed; the text is read as a sequence of top-level documents; a document cut off mid-write is
 * kept with every container that was still open marked incomplete (so callers import only whole
 * records); trailing data that does not start a document of its own ("Extra data" — the tail of
 * an older, longer version under a shorter rewrite) is dropped and measured; duplicate keys keep
 * their last value and are counted.
 *
 * <p>Written here rather than with a lenient parser: no JSON library salvages a truncated
 * document while telling which of its records are whole, which is the point.
 */
final class JsonSalvage {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(2_000).build())
          .build();

  private static final int HEAD = 80;

  private JsonSalvage() {}

  /** One top-level document; {@code incomplete} holds (by identity) the containers a cut left open. */
  record Document(JsonNode root, Set<JsonNode> incomplete, boolean complete, int startChar) {
    boolean isWhole(JsonNode node) {
      return !incomplete.contains(node);
    }
  }

  /** What was removed or found while reading. */
  record Report(
      boolean bomRemoved,
      int nulBytesRemoved,
      int documents,
      int truncatedDocuments,
      int droppedTrailingChars,
      int duplicateKeys,
      List<String> notes) {}

  /** {@code head}: the first characters of the text (BOM and NULs removed), to show what a file holds. */
  record Result(List<Document> documents, Report report, String head) {}

  static Result read(byte[] bytes) {
    List<String> notes = new ArrayList<>();
    boolean bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
    int nuls = 0;
    byte[] clean = new byte[bytes.length];
    int n = 0;
    for (int i = bom ? 3 : 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        nuls++;
      } else {
        clean[n++] = bytes[i];
      }
    }
    String text = decode(clean, n, notes);
    // A BOM in the middle is what concatenating two files with BOMs leaves behind.
    if (text.indexOf('\uFEFF') >= 0) {
      text = text.replace("\uFEFF", "");
      bom = true;
    }
    if (nuls > 0) {
      notes.add("removed " + nuls + " NUL bytes");
    }

    List<Document> docs = new ArrayList<>();
    int truncated = 0;
    int dropped = 0;
    int[] duplicates = {0};
    int p = skipWhitespace(text, 0);
    while (p < text.length()) {
      char c = text.charAt(p);
      if (c != '{' && c != '[') {
        int next = nextDocumentStart(text, p + 1);
        dropped += next - p;
        notes.add("dropped " + (next - p) + " characters at offset " + p + " that do not start a document");
        p = skipWhitespace(text, next);
        continue;
      }
      Parsed parsed = parse(text, p, duplicates);
      docs.add(new Document(parsed.root, parsed.incomplete, parsed.complete, p));
      if (!parsed.complete) {
        truncated++;
        notes.add("document at offset " + p + " is cut off at offset " + parsed.end + ": " + parsed.error);
        int next = nextDocumentStart(text, parsed.end);
        dropped += next - parsed.end;
        p = skipWhitespace(text, next);
      } else {
        p = skipWhitespace(text, parsed.end);
        if (p < text.length() && text.charAt(p) != '{' && text.charAt(p) != '[') {
          notes.add("extra data after the document ending at offset " + parsed.end);
        }
      }
    }
    if (duplicates[0] > 0) {
      notes.add(duplicates[0] + " duplicate keys (the last value of each was kept)");
    }
    Report report = new Report(bom, nuls, docs.size(), truncated, dropped, duplicates[0], List.copyOf(notes));
    String start = text.strip();
    return new Result(List.copyOf(docs), report, start.substring(0, Math.min(start.length(), HEAD)));
  }

  private static String decode(byte[] bytes, int length, List<String> notes) {
    var decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      String s = decoder.decode(java.nio.ByteBuffer.wrap(bytes, 0, length)).toString();
      if (s.indexOf('\uFFFD') >= 0) {
        notes.add("replaced bytes that are not UTF-8 with U+FFFD");
      }
      return s;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder threw, which indicates a bug", e);
    }
  }

  private static int skipWhitespace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }

  /**
   * Where the next document could start after {@code from}: a '{' or '[' in the first column of
   * a line. Anything in between is the remains of an overwritten or interleaved write. Indented
   * braces are records inside such remains: taking them for documents would bring back records
   * that a newer write had removed.
   */
  private static int nextDocumentStart(String s, int from) {
    for (int i = Math.max(from, 0); i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c == '{' || c == '[') && (i == 0 || s.charAt(i - 1) == '\n' || s.charAt(i - 1) == '\r')) {
        return i;
      }
    }
    return s.length();
  }

  private record Parsed(JsonNode root, Set<JsonNode> incomplete, boolean complete, int end, String error) {}

  /** Builds the tree of the document at {@code start}, keeping what precedes a syntax error. */
  private static Parsed parse(String text, int start, int[] duplicates) {
    Set<JsonNode> incomplete = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<JsonNode> open = new ArrayDeque<>();
    JsonNode root = null;
    int end = start;
    try (JsonParser p = FACTORY.createParser(new StringReader(text.substring(start)))) {
      String field = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        end = start + (int) p.currentLocation().getCharOffset();
        switch (t) {
          case FIELD_NAME -> field = p.currentName();
          case START_OBJECT, START_ARRAY -> {
            JsonNode container = t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
            if (open.isEmpty()) {
              root = container;
            } else {
              attach(open.peek(), field, container, duplicates);
            }
            open.push(container);
            field = null;
          }
          case END_OBJECT, END_ARRAY -> {
            open.pop();
            if (open.isEmpty()) {
              return new Parsed(root, incomplete, true, end, null);
            }
          }
          default -> {
            JsonNode value =
                switch (t) {
                  case VALUE_STRING -> NODES.textNode(p.getText());
                  case VALUE_NUMBER_INT -> NODES.numberNode(p.getBigIntegerValue());
                  case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
                  case VALUE_TRUE -> NODES.booleanNode(true);
                  case VALUE_FALSE -> NODES.booleanNode(false);
                  default -> NODES.nullNode();
                };
            attach(open.peek(), field, value, duplicates);
            field = null;
          }
        }
      }
      return finishCut(root, open, incomplete, end, "the text ends inside the document");
    } catch (JsonProcessingException e) {
      int at = e.getLocation() == null ? end : start + (int) Math.max(0, e.getLocation().getCharOffset());
      return finishCut(root, open, incomplete, Math.max(at, end), e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalStateException("reading from a string failed, which indicates a bug", e);
    }
  }

  private static Parsed finishCut(
      JsonNode root, Deque<JsonNode> open, Set<JsonNode> incomplete, int end, String error) {
    incomplete.addAll(open); // every container still open when the text broke off
    return new Parsed(root == null ? NODES.nullNode() : root, incomplete, false, end, error);
  }

  private static void attach(JsonNode parent, String field, JsonNode value, int[] duplicates) {
    if (parent instanceof ObjectNode o) {
      if (o.has(field)) {
        duplicates[0]++;
      }
      o.set(field, value);
    } else {
      ((ArrayNode) parent).add(value);
    }
  }
}
