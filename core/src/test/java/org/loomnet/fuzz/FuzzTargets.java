package org.loomnet.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fuzz targets of one module, for what is done with all of them at once.
 *
 * <p>A target is a class named {@code *FuzzTest} with exactly one {@link FuzzTest} method that
 * takes {@code byte[]}, and a static {@code seeds()} method returning {@code Map<String, byte[]>}:
 * valid encodings made by the real encoders and a few edge cases, by file name. Its committed
 * corpus is {@code src/test/resources/<package>/<Class>Inputs/<method>/}, where Jazzer's
 * regression mode reads it; {@code SeedCorpusTest} keeps the corpus in step with {@code seeds()}.
 *
 * <p>Jazzer fuzzes one {@link FuzzTest} per JVM, and each JVM costs seconds to start, so the short
 * fuzzing pass of {@code mvn verify} fuzzes a module's targets through one mux ({@link #run}): the
 * first byte of an input picks the target, the rest is that target's input.
 */
public final class FuzzTargets {

    /**
     * One target.
     *
     * @param type   its class
     * @param method its {@link FuzzTest} method
     */
    public record Target(Class<?> type, Method method) {

        /** @return the directory of its corpus below a resources root, as Jazzer looks for it */
        public Path inputs(Path resourcesRoot) {
            Path dir = resourcesRoot;
            for (String segment : type.getPackageName().split("\\.")) {
                dir = dir.resolve(segment);
            }
            return dir.resolve(type.getSimpleName() + "Inputs").resolve(method.getName());
        }

        /** @return its seeds by file name, from its {@code seeds()} */
        @SuppressWarnings("unchecked")
        public Map<String, byte[]> seeds() {
            try {
                Method seeds = type.getDeclaredMethod("seeds");
                seeds.setAccessible(true);
                return (Map<String, byte[]>) seeds.invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(type.getName() + " needs a static seeds() method", e);
            }
        }

        @Override
        public String toString() {
            return type.getSimpleName() + "#" + method.getName();
        }
    }

    private final List<Target> targets;
    private final Object[] instances;

    private FuzzTargets(List<Target> targets) {
        this.targets = List.copyOf(targets);
        this.instances = new Object[targets.size()];
    }

    /**
     * @param classNames the target classes, by name: test classes are package-private
     * @return them as targets
     * @throws IllegalArgumentException if a class is missing or does not have exactly one
     *                                  {@code @FuzzTest} method taking {@code byte[]}
     */
    public static FuzzTargets of(String... classNames) {
        List<Target> targets = new ArrayList<>();
        for (String name : classNames) {
            Class<?> type;
            try {
                type = Class.forName(name);
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("no fuzz target " + name, e);
            }
            List<Method> methods = Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(FuzzTest.class))
                    .toList();
            if (methods.size() != 1 || !Arrays.equals(methods.get(0).getParameterTypes(), new Class<?>[] {byte[].class})) {
                throw new IllegalArgumentException(name + " must have exactly one @FuzzTest method taking byte[]");
            }
            methods.get(0).setAccessible(true);
            targets.add(new Target(type, methods.get(0)));
        }
        return new FuzzTargets(targets);
    }

    /** @return the targets, in the order of their selector byte */
    public List<Target> targets() {
        return targets;
    }

    /**
     * Runs one target on one input.
     *
     * @param input the selector byte (modulo the number of targets), then the target's input
     * @throws Throwable what the target threw: a finding
     */
    public void run(byte[] input) throws Throwable {
        if (input.length == 0) {
            return;
        }
        int index = (input[0] & 0xFF) % targets.size();
        Target target = targets.get(index);
        try {
            if (instances[index] == null) {
                Constructor<?> constructor = target.type().getDeclaredConstructor();
                constructor.setAccessible(true);
                instances[index] = constructor.newInstance();
            }
            target.method().invoke(instances[index], (Object) Arrays.copyOfRange(input, 1, input.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The committed corpus of every target, each input behind its target's selector byte: the
     * seeds of the mux.
     *
     * @return the inputs
     */
    public Stream<byte[]> muxSeeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            for (byte[] input : committedInputs(targets.get(i))) {
                byte[] seed = new byte[input.length + 1];
                seed[0] = (byte) i;
                System.arraycopy(input, 0, seed, 1, input.length);
                seeds.add(seed);
            }
        }
        return seeds.stream();
    }

    private static List<byte[]> committedInputs(Target target) {
        String resource = "/" + target.type().getPackageName().replace('.', '/') + "/"
                + target.type().getSimpleName() + "Inputs/" + target.method().getName();
        URL url = target.type().getResource(resource);
        if (url == null) {
            throw new IllegalStateException(target + " has no committed corpus at " + resource);
        }
        try (Stream<Path> files = Files.walk(Paths.get(url.toURI()))) {
            List<byte[]> inputs = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                inputs.add(Files.readAllBytes(file));
            }
            return inputs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
