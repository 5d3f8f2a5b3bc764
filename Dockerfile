# syntax=docker/dockerfile:1
#
# Interlock image: one jar that runs either the HTTP server (`server`, the default command)
# or the workflow workers alone (`worker`). docker-compose.yml runs one of each against
# PostgreSQL and a Temporal cluster; see docs/operations.md.
#
#   docker build -t interlock .
#   docker run --rm -p 8080:8080 interlock                      # embedded mode, data in the container
#   docker run --rm interlock worker /app/config.yml            # needs external PostgreSQL and Temporal

##### Build #####
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Only what the build reads, so editing docs does not invalidate this layer.
COPY pom.xml ./
COPY workflows workflows
COPY store store
COPY worker worker
COPY server server

# The cache mount keeps downloaded dependencies between builds (needs BuildKit, the
# default builder of current Docker). -DskipTests still compiles the tests: the server
# module depends on the store's test jar.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package

##### Run #####
FROM eclipse-temurin:17-jre

# An unprivileged user; the embedded PostgreSQL refuses to run as root anyway.
RUN groupadd --system interlock \
    && useradd --system --gid interlock --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin interlock \
    && mkdir -p /app/data \
    && chown interlock:interlock /app/data

WORKDIR /app
COPY --from=build /src/server/target/interlock.jar /app/interlock.jar
COPY config.yml /app/config.yml

# Embedded mode only: the PostgreSQL data directory is /app/data/postgres. Mount a volume
# here if you run the image in embedded mode and want the data to outlive the container.
ENV INTERLOCK_DATA_DIR=/app/data

USER interlock

# 8080: the API. 8081: Dropwizard's admin port (health checks, metrics, tasks). The shipped
# config.yml binds the admin port to 127.0.0.1, so inside a container it is reachable only
# from the container itself (docker exec ... curl http://127.0.0.1:8081/healthcheck).
EXPOSE 8080 8081

ENTRYPOINT ["java", "-jar", "/app/interlock.jar"]
CMD ["server", "/app/config.yml"]
