package io.tsbackfill;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package layering ARCHITECTURE.md describes, held in place: dependencies point one way. */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tsbackfill");
  }

  @Test
  void commandsRunNoSql() {
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("java.sql..")
        .because(
            "a command builds a config, calls one engine and prints its result; SQL lives"
                + " in the engines, so each verb can be tested without its command line")
        .check(main);
  }

  @Test
  void onlyDbOpensConnections() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.tsbackfill.db..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.zaxxer.hikari..", "org.postgresql.ds..")
        .orShould()
        .callMethod(java.sql.DriverManager.class, "getConnection", String.class)
        .because(
            "connection strings are parsed, redacted and given application_name in db"
                + " alone; a connection opened elsewhere could leak a password or go unnamed")
        .check(main);
  }

  @Test
  void errorsDependOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.error..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.tsbackfill.error..", "java..")
        .because(
            "every layer refuses with a BackfillException and an exit code, the database"
                + " layer too, so the error types stand below all of them")
        .check(main);
  }

  @Test
  void dbDependsOnNothingOfOursButErrors() {
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.db..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tsbackfill.cli..",
            "io.tsbackfill.config..",
            "io.tsbackfill.catalog..",
            "io.tsbackfill.task..",
            "io.tsbackfill.stage..",
            "io.tsbackfill.copy..",
            "io.tsbackfill.verify..",
            "io.tsbackfill.cagg..",
            "io.tsbackfill.clean..",
            "io.tsbackfill.work..",
            "io.tsbackfill.jobs..",
            "io.tsbackfill.status..",
            "io.tsbackfill.requeue..",
            "io.tsbackfill.report..")
        .because("db is the layer every engine stands on; only the error types are below it")
        .check(main);
  }

  @Test
  void theCatalogModelDependsOnlyOnDb() {
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.catalog..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tsbackfill.cli..",
            "io.tsbackfill.task..",
            "io.tsbackfill.stage..",
            "io.tsbackfill.copy..",
            "io.tsbackfill.verify..",
            "io.tsbackfill.cagg..",
            "io.tsbackfill.clean..",
            "io.tsbackfill.work..",
            "io.tsbackfill.jobs..")
        .because("the catalog is a read-only model of TimescaleDB that every verb shares")
        .check(main);
  }

  @Test
  void nothingButMainDependsOnTheCommands() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.tsbackfill.cli..")
        .and()
        .doNotHaveFullyQualifiedName("io.tsbackfill.Main")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.tsbackfill.cli..")
        .because("engines report through listeners and results, never by printing")
        .check(main);
  }

  @Test
  void copyAndVerifyStayApart() {
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.copy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tsbackfill.verify..", "io.tsbackfill.stage..")
        .because("verify must judge a copy independently of how copy wrote it")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("io.tsbackfill.verify..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tsbackfill.copy..", "io.tsbackfill.stage..")
        .because("verify must judge a copy independently of how copy wrote it")
        .check(main);
  }

  @Test
  void noReflectionIntoLibraries() {
    noClasses()
        .should()
        .callMethodWhere(
            target(
                nameMatching(
                    "setAccessible|trySetAccessible|getDeclared(Field|Method|Constructor)s?"
                        + "|privateLookupIn")))
        .because(
            "a library's private fields and methods are not its API: the next patch release"
                + " may rename them and the failure would be silent")
        .check(main);
  }

  @Test
  void onlyPgjdbcsPublicApi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.postgresql.core..", "org.postgresql.jdbc..")
        .because(
            "pgjdbc's core and jdbc packages are its implementation: the public API is"
                + " PGConnection, the copy package and PSQLException, which its releases keep")
        .check(main);
  }

  /**
   * ArchUnit sees calls in bytecode; this sees the source too, so a reflective call written as a
   * string (a MethodHandle lookup by name, say) is caught as well.
   */
  @Test
  void noSourceFileReachesIntoPrivateMembers() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.toString().endsWith(".java")) {
          continue;
        }
        String text = Files.readString(f);
        for (String word :
            new String[] {
              "setAccessible",
              "trySetAccessible",
              "getDeclaredField",
              "getDeclaredMethod",
              "privateLookupIn",
              "sun.misc.Unsafe"
            }) {
          if (text.contains(word)) {
            found.add(f + ": " + word);
          }
        }
      }
    }
    assertThat(found)
        .as("reflection into private members in src/main (public APIs only)")
        .isEmpty();
  }

  @Test
  void onlyTheCommandsReadTheEnvironment() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.tsbackfill.cli..")
        .should()
        .callMethod(System.class, "getenv")
        .orShould()
        .callMethod(System.class, "getenv", String.class)
        .orShould()
        .callMethod(System.class, "getProperty", String.class)
        .orShould()
        .callMethod(System.class, "getProperty", String.class, String.class)
        .orShould()
        .callMethod(System.class, "getProperties")
        .orShould()
        .callMethod(Long.class, "getLong", String.class)
        .orShould()
        .callMethod(Integer.class, "getInteger", String.class)
        .orShould()
        .callMethod(Boolean.class, "getBoolean", String.class)
        .because(
            "every setting is an option whose environment default the command layer reads"
                + " and hands down in a config record; an engine that read the environment itself"
                + " would be a setting nobody sees in --help")
        .check(main);
  }
}
