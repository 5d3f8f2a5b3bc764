package dev.interlock.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * The layering of docs/architecture.md, held by the build: a rule that fails names the
 * class and the dependency that breaks it.
 */
@AnalyzeClasses(packages = "dev.interlock", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String[] EDGE = {"dev.interlock.server.dialect..",
      "dev.interlock.server.web..", "dev.interlock.server.shared..", "dev.interlock.server.mcp..",
      "dev.interlock.server.wire.."};

  /** A dialect's package can go without the others noticing. */
  @ArchTest
  static final ArchRule dialectsDoNotKnowEachOther = slices()
      .matching("dev.interlock.server.dialect.(*)..")
      .should().notDependOnEachOther();

  /** Only the application names a dialect: deleting one leaves the rest compiling. */
  @ArchTest
  static final ArchRule onlyTheApplicationNamesADialect = noClasses()
      .that().resideOutsideOfPackages("dev.interlock.server.dialect.*..")
      .and().doNotHaveSimpleName("InterlockApplication")
      .should().dependOnClassesThat().resideInAPackage("dev.interlock.server.dialect.*..");

  /** Resources, tools, pages and views work through the core's services. */
  @ArchTest
  static final ArchRule edgeTouchesNeitherStoreNorTemporal = noClasses()
      .that().resideInAnyPackage(EDGE)
      .should().dependOnClassesThat()
      .resideInAnyPackage("org.jdbi..", "dev.interlock.store..", "io.temporal..");

  /** The core serves every dialect and knows none of them. */
  @ArchTest
  static final ArchRule coreKnowsNoEdge = noClasses()
      .that().resideInAnyPackage("dev.interlock.server.service..",
          "dev.interlock.server.temporal..", "dev.interlock.server.auth..")
      .should().dependOnClassesThat().resideInAnyPackage(EDGE);

  /** Temporal is reached through the gateway (server/temporal) and the worker only. */
  @ArchTest
  static final ArchRule temporalThroughTheGateway = noClasses()
      .that().resideInAPackage("dev.interlock.server..")
      .and().resideOutsideOfPackages("dev.interlock.server.temporal..")
      .and().doNotHaveSimpleName("InterlockApplication")
      .and().doNotHaveSimpleName("WorkerCommand")
      .should().dependOnClassesThat().resideInAPackage("io.temporal.client..");

  /** The worker renders no dialect and knows nothing of the server. */
  @ArchTest
  static final ArchRule workerKnowsNoServer = noClasses()
      .that().resideInAPackage("dev.interlock.worker..")
      .should().dependOnClassesThat().resideInAPackage("dev.interlock.server..");

  /** The store and its records depend on nothing above them. */
  @ArchTest
  static final ArchRule storeDependsOnNothingAbove = noClasses()
      .that().resideInAnyPackage("dev.interlock.store..", "dev.interlock.model..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.interlock.worker..",
          "dev.interlock.server..", "dev.interlock.workflows..", "io.temporal..");

  /** The model is plain data every layer may hold: no persistence in it. */
  @ArchTest
  static final ArchRule modelIsPlainData = noClasses()
      .that().resideInAPackage("dev.interlock.model..")
      .should().dependOnClassesThat().resideInAnyPackage("org.jdbi..", "dev.interlock.store..");

  /** Workflow code is replayed: no I/O, no store, no wall clock, no randomness of its own. */
  @ArchTest
  static final ArchRule workflowsDoNoIo = noClasses()
      .that().resideInAPackage("dev.interlock.workflows..")
      .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.file..",
          "java.sql..", "org.jdbi..", "dev.interlock.store..", "dev.interlock.model..",
          "dev.interlock.worker..", "dev.interlock.server..")
      .orShould().accessClassesThat().belongToAnyOf(java.io.File.class,
          java.io.FileInputStream.class, java.io.FileOutputStream.class, Clock.class)
      .orShould().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(Instant.class, "now")
      .orShould().callMethod(UUID.class, "randomUUID")
      .orShould().callMethod(Thread.class, "sleep", long.class);
}
