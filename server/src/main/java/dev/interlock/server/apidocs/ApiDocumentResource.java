package dev.interlock.server.apidocs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.errors.NotFound;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /openapi} (the index) and {@code GET /openapi/{document}.json}: the API
 * documents, open without credentials like the reference pages they are.
 */
@Path("/openapi")
@Produces(MediaType.APPLICATION_JSON)
public final class ApiDocumentResource {

  private final ApiDocuments documents;
  private final ObjectMapper json;

  public ApiDocumentResource(ApiDocuments documents, ObjectMapper json) {
    this.documents = documents;
    this.json = json;
  }

  @GET
  public ObjectNode index() {
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("documents");
    documents.all().forEach((name, doc) -> list.addObject()
        .put("name", name)
        .put("title", ApiDocuments.title(doc))
        .put("url", "/openapi/" + name + ".json"));
    return out;
  }

  @GET
  @Path("{document}.json")
  public ObjectNode document(@PathParam("document") String name) {
    return documents.get(name).orElseThrow(() -> new NotFound("No API document " + name
        + "; see /openapi for the list"));
  }
}
