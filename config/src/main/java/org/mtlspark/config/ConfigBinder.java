package org.mtlspark.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a tree of YAML values (maps, lists, scalars) to records. Every problem is collected with
 * its path instead of failing on the first: unknown keys (with the closest known key as a hint),
 * missing keys, wrong types and, through {@link Validatable}, invalid values.
 *
 * <p>Supported component types: records, {@code List<T>}, {@code Map<String, T>}, enums (matched
 * case-insensitively, written in lower case), {@code String}, {@code int}, {@code long}, {@code
 * double}, {@code boolean} and their boxes.
 */
public final class ConfigBinder {
  private final Problems problems;

  public ConfigBinder(Problems problems) {
    this.problems = problems;
  }

  /** Binds {@code tree} to {@code type}; returns null (with problems recorded) when it cannot. */
  public <T> T bind(Object tree, Class<T> type) {
    return type.cast(bindValue(tree, type, ""));
  }

  private Object bindValue(Object value, Type type, String path) {
    if (type instanceof ParameterizedType pt) {
      Class<?> raw = (Class<?>) pt.getRawType();
      Type arg = pt.getActualTypeArguments()[raw == Map.class ? 1 : 0];
      if (raw == List.class) {
        return bindList(value, arg, path);
      }
      if (raw == Map.class) {
        return bindMap(value, arg, path);
      }
      throw new IllegalArgumentException("unsupported configuration type " + type);
    }
    Class<?> cls = (Class<?>) type;
    if (cls.isRecord()) {
      return bindRecord(value, cls, path);
    }
    return bindScalar(value, cls, path);
  }

  private List<Object> bindList(Object value, Type elementType, String path) {
    if (!(value instanceof List<?> list)) {
      problems.add(path, "expected a list, got " + describe(value));
      return null;
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(bindValue(list.get(i), elementType, path + "[" + i + "]"));
    }
    if (out.contains(null)) {
      return null; // an element failed (its problems are recorded); so does the list
    }
    return List.copyOf(out);
  }

  private Map<String, Object> bindMap(Object value, Type valueType, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(path, "expected a mapping, got " + describe(value));
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object bound = bindValue(e.getValue(), valueType, Validatable.at(path, key));
      if (bound != null) {
        out.put(key, bound);
      }
    }
    return out;
  }

  private Object bindRecord(Object value, Class<?> cls, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(
          path.isEmpty() ? "(top level)" : path, "expected a mapping, got " + describe(value));
      return null;
    }
    RecordComponent[] components = cls.getRecordComponents();
    List<String> known = Arrays.stream(components).map(RecordComponent::getName).toList();
    for (Object key : map.keySet()) {
      String k = String.valueOf(key);
      if (!known.contains(k)) {
        problems.add(
            Validatable.at(path, k),
            "unknown key"
                + suggestion(k, known)
                + " (known keys: "
                + String.join(", ", known)
                + ")");
      }
    }
    Object[] args = new Object[components.length];
    List<String> failed = new ArrayList<>();
    Map<String, Object> defaults = defaultsOf(cls);
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String childPath = Validatable.at(path, c.getName());
      if (map.containsKey(c.getName())) {
        args[i] = bindValue(map.get(c.getName()), c.getGenericType(), childPath);
      } else if (defaults.containsKey(c.getName())) {
        args[i] = bindValue(defaults.get(c.getName()), c.getGenericType(), childPath);
      } else {
        problems.add(childPath, "missing key");
      }
      if (args[i] == null) {
        failed.add(childPath);
        args[i] = placeholder(c.getType());
      }
    }
    Object record = construct(cls, components, args);
    if (record instanceof Validatable v) {
      validatePartly(v, path, failed);
    }
    return failed.isEmpty() ? record : null;
  }

  /**
   * Values for keys a record may leave out, from its {@code public static Map<String, Object>
   * defaults()} when it has one: records that appear in lists (sources, tasks) use it, because a
   * list item has no entry in {@code defaults.yaml} to inherit from.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> defaultsOf(Class<?> cls) {
    try {
      return (Map<String, Object>) cls.getMethod("defaults").invoke(null);
    } catch (NoSuchMethodException e) {
      return Map.of();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read the defaults of " + cls.getSimpleName(), e);
    }
  }

  /**
   * Validates a record even when some components failed to bind (they hold placeholders), so that
   * every problem of a file is reported at once; problems about the failed components are dropped.
   */
  private void validatePartly(Validatable v, String path, List<String> failed) {
    if (failed.isEmpty()) {
      v.validate(path, problems);
      return;
    }
    Problems local = new Problems();
    try {
      v.validate(path, local);
    } catch (RuntimeException e) {
      return; // a check that needs a failed component; its problem is already reported
    }
    for (String m : local.messages()) {
      if (failed.stream()
          .noneMatch(
              f -> m.startsWith(f + ":") || m.startsWith(f + ".") || m.startsWith(f + "["))) {
        problems.add("", m);
      }
    }
  }

  private static Object placeholder(Class<?> type) {
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == double.class) {
      return 0.0;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == List.class) {
      return List.of();
    }
    if (type == Map.class) {
      return Map.of();
    }
    return null;
  }

  private static Object construct(Class<?> cls, RecordComponent[] components, Object[] args) {
    Class<?>[] types =
        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
    try {
      Constructor<?> ctor = cls.getDeclaredConstructor(types);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot build " + cls.getSimpleName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + cls.getSimpleName(), e);
    }
  }

  private Object bindScalar(Object value, Class<?> cls, String path) {
    if (value == null) {
      problems.add(path, "expected " + expected(cls) + ", got nothing (null)");
      return null;
    }
    if (cls == String.class) {
      if (value instanceof Map || value instanceof List) {
        problems.add(path, "expected a string, got " + describe(value));
        return null;
      }
      return String.valueOf(value);
    }
    if (cls == int.class || cls == Integer.class) {
      if (value instanceof Integer i) {
        return i;
      }
      if (value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return l.intValue();
      }
      return wrongType(path, cls, value);
    }
    if (cls == long.class || cls == Long.class) {
      if (value instanceof Integer || value instanceof Long) {
        return ((Number) value).longValue();
      }
      return wrongType(path, cls, value);
    }
    if (cls == double.class || cls == Double.class) {
      if (value instanceof Number n && !(value instanceof java.math.BigInteger)) {
        return n.doubleValue();
      }
      return wrongType(path, cls, value);
    }
    if (cls == boolean.class || cls == Boolean.class) {
      if (value instanceof Boolean b) {
        return b;
      }
      return wrongType(path, cls, value);
    }
    if (cls.isEnum()) {
      String s = String.valueOf(value);
      for (Object constant : cls.getEnumConstants()) {
        if (((Enum<?>) constant).name().equalsIgnoreCase(s)) {
          return constant;
        }
      }
      problems.add(path, "expected one of " + enumNames(cls) + ", got " + describe(value));
      return null;
    }
    throw new IllegalArgumentException("unsupported configuration type " + cls);
  }

  private Object wrongType(String path, Class<?> cls, Object value) {
    problems.add(path, "expected " + expected(cls) + ", got " + describe(value));
    return null;
  }

  static String enumNames(Class<?> cls) {
    return Arrays.stream(cls.getEnumConstants())
        .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static String expected(Class<?> cls) {
    if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) {
      return "an integer";
    }
    if (cls == double.class || cls == Double.class) {
      return "a number";
    }
    if (cls == boolean.class || cls == Boolean.class) {
      return "true or false";
    }
    return "a " + cls.getSimpleName().toLowerCase(Locale.ROOT);
  }

  static String describe(Object value) {
    if (value == null) {
      return "nothing (null)";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return String.valueOf(value);
  }

  private static String suggestion(String key, List<String> known) {
    return Suggestions.closest(key, known).map(k -> ", did you mean '" + k + "'?").orElse("");
  }
}
