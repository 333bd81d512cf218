package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code /v1/documents}: create, replace, get, delete, search, access. */
interface DocumentHttpTests extends HttpSuite {

  String DOCUMENTS = "/v1/documents";

  @Test
  default void documents_createReplaceGetDeleteAndSearch_overHttp() {
    TestClient.Response created =
        admin().post(DOCUMENTS, "{\"id\":\"guides/tea.md\",\"title\":\"Tea\",\"text\":\"Brew green tea at 80 degrees.\",\"source\":\"wiki\",\"metadata\":{\"lang\":\"en\"}}");
    JsonNode d = assertJson(created, 201);
    assertThat(d.get("id").asText()).isEqualTo("guides/tea.md");
    assertThat(d.get("version").asLong()).isEqualTo(1);
    assertThat(d.get("chunks").asInt()).isEqualTo(1);
    assertThat(created.header("ETag")).contains("\"1\"");
    assertThat(created.header("Location")).contains("/v1/documents/guides/tea.md");

    JsonNode read = assertJson(admin().get(DOCUMENTS + "/guides/tea.md"), 200);
    assertThat(read.get("text").asText()).isEqualTo("Brew green tea at 80 degrees.");
    assertThat(read.get("metadata").get("lang").asText()).isEqualTo("en");
    assertThat(read.has("created_at")).isTrue();
    assertProblem(admin().post(DOCUMENTS, "{\"id\":\"guides/tea.md\",\"text\":\"x\"}"), 409, "document_exists");

    JsonNode hits = assertJson(admin().post(DOCUMENTS + "/search", "{\"query\":\"green tea\",\"source\":\"wiki\"}"), 200).get("items");
    assertThat(hits).hasSize(1);
    assertThat(hits.get(0).get("document_id").asText()).isEqualTo("guides/tea.md");
    assertThat(hits.get(0).get("chunk").asInt()).isZero();
    assertThat(hits.get(0).get("text").asText()).contains("green tea");
    assertThat(hits.get(0).get("score").isNumber()).isTrue();
    assertThat(assertJson(admin().post(DOCUMENTS + "/search", "{\"query\":\"green tea\",\"source\":\"drive\"}"), 200).get("items")).isEmpty();

    TestClient.Response replaced = admin().put(DOCUMENTS + "/guides/tea.md", "{\"text\":\"Oolong is half oxidised.\"}");
    assertThat(assertJson(replaced, 200).get("version").asLong()).isEqualTo(2);
    assertThat(assertJson(admin().put(DOCUMENTS + "/other", "{\"text\":\"new oolong is half oxidised\"}"), 201).get("version").asLong()).isEqualTo(1);

    assertThat(assertJson(admin().delete(DOCUMENTS + "/guides/tea.md"), 200).get("deleted").asBoolean()).isTrue();
    assertProblem(admin().get(DOCUMENTS + "/guides/tea.md"), 404, "document_not_found");

    TestClient agent = keyOf("agent");
    assertProblem(agent.get(DOCUMENTS + "/other"), 404, "document_not_found");
    assertThat(assertJson(agent.post(DOCUMENTS + "/search", "{\"query\":\"new\"}"), 200).get("items")).isEmpty();

    assertProblem(admin().post(DOCUMENTS, "{\"text\":\" \"}"), 400, "invalid_text");
    assertProblem(admin().post(DOCUMENTS, "{\"text\":\"x\",\"pages\":1}"), 400, "unknown_field");
    assertProblem(admin().post(DOCUMENTS + "/search", "{\"query\":\"x\",\"mode\":\"fuzzy\"}"), 400, "invalid_search_mode");
    assertProblem(admin().post(DOCUMENTS + "/search", "{\"query\":\"x\",\"mode\":\"KEYWORD\"}"), 400, "invalid_search_mode");
    assertProblem(admin().post("/v1/memory/search", "{\"query\":\"x\",\"mode\":\"Hybrid\"}"), 400, "invalid_search_mode");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode semantic = assertJson(admin().post(DOCUMENTS + "/search", "{\"query\":\"partially fermented leaves\",\"mode\":\"semantic\",\"limit\":1}"), 200);
      assertThat(semantic.get("items").get(0).get("document_id").asText()).isEqualTo("other");
    });
  }

  @Test
  default void aDeletedDocumentsGrants_goWithIt_soADocumentMadeLaterWithTheSameIdIsNotTheirs() {
    TestClient w2 = keyFor("agent:w2", "agent");
    assertJson(w2.post(DOCUMENTS, "{\"id\":\"squat\",\"text\":\"mine for now\"}"), 201);
    assertJson(w2.get(DOCUMENTS + "/squat"), 200); // the creator owns it
    assertJson(w2.delete(DOCUMENTS + "/squat"), 200);
    assertThat(assertJson(admin().get("/v1/access/grants?resource=document:squat"), 200).get("items")).isEmpty();

    assertJson(admin().post(DOCUMENTS, "{\"id\":\"squat\",\"text\":\"the admin's secret squat plan\"}"), 201);

    assertProblem(w2.get(DOCUMENTS + "/squat"), 404, "document_not_found");
    assertProblem(w2.put(DOCUMENTS + "/squat", "{\"text\":\"overwritten\"}"), 404, "document_not_found");
    assertProblem(w2.delete(DOCUMENTS + "/squat"), 404, "document_not_found");
    assertThat(assertJson(w2.post(DOCUMENTS + "/search", "{\"query\":\"secret squat plan\",\"mode\":\"keyword\"}"), 200).get("items")).isEmpty();
    assertThat(assertJson(admin().get(DOCUMENTS + "/squat"), 200).get("text").asText()).isEqualTo("the admin's secret squat plan");
  }
}
