package org.mtlspark.driver;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The product's packages form layers, each using only those below it, and no package cycle (see
 * docs/architecture.md). A new package is placed in a layer here; a failure names the classes
 * and the dependency that breaks the order.
 */
class ArchitectureTest {
  /** From the bottom: a package may depend on packages of lower layers only. */
  static final List<Set<String>> LAYERS =
      List.of(
          Set.of("config"),
          Set.of("prep.io"),
          Set.of("prep.source"),
          Set.of("prep.split"),
          Set.of("prep.align"),
          Set.of("prep.feature"),
          Set.of("prep.manifest"),
          Set.of("prep.kryo", "prep.generate"),
          Set.of("prep"),
          Set.of("workers.model"),
          Set.of("workers.run"),
          Set.of("workers.eval"),
          Set.of("workers.train"),
          Set.of("operate.embed", "operate.score", "operate.report", "operate.tune"),
          Set.of("operate.registry"),
          Set.of("driver"));

  static final JavaClasses PRODUCT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("-tests.jar")) // a module's test classes
          .importPackages("org.mtlspark");

  private static String full(String p) {
    return "org.mtlspark." + p;
  }

  @Test
  void everyPackageHasALayer() {
    Set<String> placed = new TreeSet<>();
    LAYERS.forEach(placed::addAll);
    Set<String> found = new TreeSet<>();
    for (JavaClass c : PRODUCT) {
      if (!c.getPackageName().equals("org.mtlspark.workers")) { // only its package-info
        found.add(c.getPackageName().substring("org.mtlspark.".length()));
      }
    }
    found.removeAll(placed);
    assertEquals(
        Set.of(),
        found,
        "packages without a layer: place them in ArchitectureTest.LAYERS and "
            + "docs/architecture.md");
  }

  @Test
  void noPackageCycle() {
    slices().matching("org.mtlspark.(**)").should().beFreeOfCycles().check(PRODUCT);
  }

  @Test
  void noPackageImportsALayerAboveIt() {
    for (int i = 0; i < LAYERS.size() - 1; i++) {
      List<String> above = new ArrayList<>();
      LAYERS.subList(i + 1, LAYERS.size()).forEach(l -> l.forEach(p -> above.add(full(p))));
      noClasses()
          .that()
          .resideInAnyPackage(
              LAYERS.get(i).stream().map(ArchitectureTest::full).toArray(String[]::new))
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(above.toArray(String[]::new))
          .because("layer " + LAYERS.get(i) + " lies below " + above)
          .check(PRODUCT);
    }
  }

  /** Packages side by side in a layer do not use each other either. */
  @Test
  void packagesOfOneLayerAreIndependent() {
    for (Set<String> layer : LAYERS) {
      for (String p : layer) {
        String[] others =
            layer.stream()
                .filter(o -> !o.equals(p))
                .map(ArchitectureTest::full)
                .toArray(String[]::new);
        if (others.length > 0) {
          noClasses()
              .that()
              .resideInAPackage(full(p))
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(others)
              .check(PRODUCT);
        }
      }
    }
  }
}
