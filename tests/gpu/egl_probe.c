/* egl_probe: a headless EGL context on an EGL device (EGL_EXT_platform_device), else the
 * default display with a pbuffer; prints "egl: GL_RENDERER=<renderer>" and exits 0 when a
 * context is current. Links only the generic loaders (libEGL, libOpenGL). For
 * tests/gpu/graphics.sh. */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>
#include <stdio.h>

int main(void)
{
        EGLDisplay dpy = EGL_NO_DISPLAY;
        PFNEGLQUERYDEVICESEXTPROC query_devices =
            (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
        PFNEGLGETPLATFORMDISPLAYEXTPROC platform_display =
            (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
        EGLDeviceEXT devices[8];
        EGLint count = 0;
        if (query_devices && platform_display && query_devices(8, devices, &count) && count > 0) {
                printf("egl: %d EGL device(s)\n", count);
                dpy = platform_display(EGL_PLATFORM_DEVICE_EXT, devices[0], NULL);
        }
        if (dpy == EGL_NO_DISPLAY)
                dpy = eglGetDisplay(EGL_DEFAULT_DISPLAY);
        EGLint major = 0, minor = 0;
        if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor)) {
                printf("egl: no display (error 0x%x)\n", eglGetError());
                return 1;
        }
        printf("egl: EGL %d.%d, vendor %s\n", major, minor, eglQueryString(dpy, EGL_VENDOR));
        const EGLint attrs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                                EGL_OPENGL_BIT, EGL_NONE};
        EGLConfig config;
        EGLint n = 0;
        if (!eglChooseConfig(dpy, attrs, &config, 1, &n) || n < 1) {
                printf("egl: no pbuffer config (error 0x%x)\n", eglGetError());
                return 1;
        }
        const EGLint pb[] = {EGL_WIDTH, 16, EGL_HEIGHT, 16, EGL_NONE};
        EGLSurface surface = eglCreatePbufferSurface(dpy, config, pb);
        eglBindAPI(EGL_OPENGL_API);
        EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, NULL);
        if (ctx == EGL_NO_CONTEXT || !eglMakeCurrent(dpy, surface, surface, ctx)) {
                printf("egl: no context (error 0x%x)\n", eglGetError());
                return 1;
        }
        printf("egl: GL_VENDOR=%s\n", (const char *)glGetString(GL_VENDOR));
        printf("egl: GL_RENDERER=%s\n", (const char *)glGetString(GL_RENDERER));
        printf("egl: GL_VERSION=%s\n", (const char *)glGetString(GL_VERSION));
        eglTerminate(dpy);
        return 0;
}
