package org.mtlspark.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Loads the configuration: the built-in defaults ({@code conf/defaults.yaml}, packaged in the jar),
 * then each experiment file in order, then {@code key.path=value} overrides from the command line.
 * Later layers replace scalars and lists and merge mappings. The result is bound and validated;
 * all problems are reported at once in a {@link ConfigException}. No Spark is involved.
 */
public final class ConfigLoader {
  /** The classpath location of the packaged defaults. */
  public static final String DEFAULTS_RESOURCE = "/org/mtlspark/config/defaults.yaml";

  private ConfigLoader() {}

  /** Loads defaults, then the given files (any Hadoop filesystem URI), then the overrides. */
  public static MtlConfig load(List<String> files, List<String> overrides) {
    Map<String, Object> tree = defaultsTree();
    StringBuilder source = new StringBuilder("defaults");
    for (String file : files) {
      merge(tree, readFile(file));
      source.append(" + ").append(file);
    }
    Problems problems = new Problems();
    for (String override : overrides) {
      applyOverride(tree, override, problems);
    }
    if (!overrides.isEmpty()) {
      source.append(" + ").append(overrides.size()).append(" override(s)");
    }
    problems.throwIfAny(source.toString());
    return bind(tree, source.toString());
  }

  /** Loads defaults, then an experiment given as YAML text (named {@code name} in messages). */
  public static MtlConfig fromYaml(String yaml, String name) {
    Map<String, Object> tree = defaultsTree();
    merge(
        tree,
        parse(
            new java.io.ByteArrayInputStream(
                yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            name));
    return bind(tree, "defaults + " + name);
  }

  /** Binds and validates a tree; throws a {@link ConfigException} listing every problem. */
  public static MtlConfig bind(Map<String, Object> tree, String source) {
    Problems problems = new Problems();
    MtlConfig config = new ConfigBinder(problems).bind(tree, MtlConfig.class);
    problems.throwIfAny(source);
    return config;
  }

  /** The packaged defaults as a mutable tree. */
  public static Map<String, Object> defaultsTree() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the packaged defaults " + DEFAULTS_RESOURCE + " are missing from the jar");
      }
      return parse(in, "defaults.yaml");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the packaged defaults", e);
    }
  }

  static Map<String, Object> readFile(String file) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(new Configuration());
      if (!fs.exists(path)) {
        throw new ConfigException(file, List.of("file not found"));
      }
      try (InputStream in = fs.open(path)) {
        return parse(in, file);
      }
    } catch (IOException e) {
      throw new ConfigException(file, List.of("cannot read: " + e.getMessage()));
    }
  }

  /** Parses one YAML document; an empty document is an empty mapping. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(InputStream in, String name) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      Object doc = yaml.load(reader);
      if (doc == null) {
        return new LinkedHashMap<>();
      }
      if (!(doc instanceof Map)) {
        throw new ConfigException(
            name, List.of("the top level must be a mapping, got " + ConfigBinder.describe(doc)));
      }
      return deepCopy((Map<String, Object>) doc);
    } catch (YAMLException e) {
      throw new ConfigException(
          name, List.of("not valid YAML: " + e.getMessage().replace('\n', ' ')));
    } catch (IOException e) {
      throw new ConfigException(name, List.of("cannot read: " + e.getMessage()));
    }
  }

  /** Merges {@code overlay} into {@code base}: mappings merge key by key, anything else replaces. */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> base, Map<String, Object> overlay) {
    for (Map.Entry<String, Object> e : overlay.entrySet()) {
      Object existing = base.get(e.getKey());
      if (existing instanceof Map && e.getValue() instanceof Map) {
        merge((Map<String, Object>) existing, (Map<String, Object>) e.getValue());
      } else {
        base.put(e.getKey(), e.getValue());
      }
    }
  }

  /** Applies {@code a.b.c=value}; the value is read as YAML, so numbers, lists and booleans work. */
  @SuppressWarnings("unchecked")
  static void applyOverride(Map<String, Object> tree, String override, Problems problems) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      problems.add("--set " + override, "expected key.path=value");
      return;
    }
    String key = override.substring(0, eq).trim();
    String[] parts = key.split("\\.");
    Object value;
    try {
      value = new Yaml(new SafeConstructor(new LoaderOptions())).load(override.substring(eq + 1));
    } catch (YAMLException e) {
      problems.add(key, "override value is not valid YAML: " + e.getMessage().replace('\n', ' '));
      return;
    }
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.get(parts[i]);
      if (!(child instanceof Map)) {
        problems.add(
            String.join(".", java.util.Arrays.copyOf(parts, i + 1)),
            child == null
                ? "unknown key"
                    + Suggestions.closest(parts[i], node.keySet())
                        .map(k -> ", did you mean '" + k + "'?")
                        .orElse("")
                : "is not a mapping, cannot set " + key);
        return;
      }
      node = (Map<String, Object>) child;
    }
    node.put(parts[parts.length - 1], value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<String, Object> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      out.put(String.valueOf(e.getKey()), copyValue(e.getValue()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object copyValue(Object v) {
    if (v instanceof Map) {
      return deepCopy((Map<String, Object>) v);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object o : list) {
        out.add(copyValue(o));
      }
      return out;
    }
    return v;
  }
}
