package dev.interlock.server.service.engine;

/**
 * A field a partial update sets, to {@code value} (which may be null: the field is cleared).
 * A {@code Change} field left null in an update means "not given, keep the current value".
 */
public record Change<T>(T value) {

  public static <T> Change<T> to(T value) {
    return new Change<>(value);
  }

  /** The new value when given, else {@code current}. */
  public static <T> T apply(Change<T> change, T current) {
    return change == null ? current : change.value();
  }
}
