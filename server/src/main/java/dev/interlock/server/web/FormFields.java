package dev.interlock.server.web;

import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Providers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.List;

/**
 * A posted {@code application/x-www-form-urlencoded} form, or the fact that it was larger
 * than {@code limits.maxBodyBytes}: a resource method takes it as its entity and answers a
 * form that is too large itself. {@code bytes} is the size of the body.
 */
record FormFields(MultivaluedMap<String, String> fields, int bytes, boolean tooLarge) {

  private static final FormFields EMPTY = new FormFields(new MultivaluedHashMap<>(), 0, false);

  /** Jersey hands a resource no entity at all for an empty body without a Content-Type. */
  static FormFields orEmpty(FormFields form) {
    return form == null ? EMPTY : form;
  }

  /**
   * The first value of a field, or null when it is absent or blank. A value holding the NUL
   * character is passed over as if it were not there: PostgreSQL stores NUL in no text column.
   */
  String text(String name) {
    List<String> values = fields.get(name);
    if (values == null) {
      return null;
    }
    for (String v : values) {
      if (v == null || v.isBlank()) {
        return null;
      }
      if (v.indexOf('\0') < 0) {
        return v;
      }
    }
    return null;
  }

  /**
   * Reads the body up to the limit, then lets Jersey's own form reader parse and decode it
   * (a malformed %-escape is a 400 there). The resource methods consume forms; a body sent
   * without a Content-Type is read as one too, as browsers and curl never do that but
   * simple clients may.
   */
  static final class Reader implements MessageBodyReader<FormFields> {

    private final int maxBytes;
    @Context private Providers providers;

    Reader(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations,
        MediaType mediaType) {
      return type == FormFields.class;
    }

    @Override
    public FormFields readFrom(Class<FormFields> type, Type genericType,
        Annotation[] annotations, MediaType mediaType, MultivaluedMap<String, String> headers,
        InputStream body) throws IOException {
      byte[] bytes = body.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        return new FormFields(new MultivaluedHashMap<>(), bytes.length, true);
      }
      // The declared charset, if any, decodes the %-escapes; UTF-8 otherwise.
      MediaType asForm = MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(mediaType)
          ? mediaType : MediaType.APPLICATION_FORM_URLENCODED_TYPE;
      MessageBodyReader<Form> forms = providers.getMessageBodyReader(Form.class, Form.class,
          annotations, asForm);
      Form form = forms.readFrom(Form.class, Form.class, annotations, asForm, headers,
          new ByteArrayInputStream(bytes));
      return new FormFields(form.asMap(), bytes.length, false);
    }
  }
}
