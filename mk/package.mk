# Installing and packaging: man pages (version substituted), shell completions, the systemd
# unit and its options file, install/uninstall, the Debian package, and `make demo`.
# Included by the Makefile.

.PHONY: man install uninstall install-extras uninstall-extras deb demo

# Where `make install` puts the extra files. Each can be overridden on the command line.
# bash-completion's own directory (asked of pkg-config, optional) for PREFIX=/usr, else
# PREFIX/share/...
BASHCOMPDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell $(PKG_CONFIG) --variable=completionsdir \
                 bash-completion 2>/dev/null),/usr/share/bash-completion/completions),$(PREFIX)/share/bash-completion/completions)
# Debian's zsh reads vendor-completions for packages in /usr; site-functions everywhere else.
ZSHCOMPDIR  ?= $(if $(and $(filter /usr,$(PREFIX)),$(wildcard /usr/share/zsh/vendor-completions)),$(PREFIX)/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# systemd's unit directory for /usr (/lib/systemd/system on Debian 12; asked of pkg-config,
# optional); systemd also reads /usr/local/lib/systemd/system, which a /usr/local install uses.
UNITDIR     ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)
DEFAULTSDIR ?= $(SYSCONFDIR)/default

# Man pages: man/<page>.<section>.in → $(BUILD)/man/<page>.<section>, @VERSION@ from VERSION.
MAN_SRC := $(wildcard man/*.in)
MAN     := $(MAN_SRC:man/%.in=$(BUILD)/man/%)
$(BUILD)/man/%: man/%.in VERSION
	@mkdir -p $(dir $@)
	sed -e 's|@VERSION@|$(VERSION)|g' $< > $@

man: $(MAN)
all: $(MAN)

install: all install-extras
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/nvidia-docker
	install -m 0755 $(WRAPPER) $(PLUGIN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(RUN_MODULE) $(DESTDIR)$(LIBDIR)/nvidia-docker/

# Everything but the programs: man pages, completions, the systemd unit, its check and options.
install-extras: $(MAN)
	@for m in $(MAN); do s=$${m##*.}; \
	  install -d $(DESTDIR)$(MANDIR)/man$$s; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 completions/nvidia-docker.bash $(DESTDIR)$(BASHCOMPDIR)/nvidia-docker
	install -m 0644 completions/_nvidia-docker $(DESTDIR)$(ZSHCOMPDIR)/_nvidia-docker
	install -m 0644 completions/nvidia-docker.fish $(DESTDIR)$(FISHCOMPDIR)/nvidia-docker.fish
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBDIR)/nvidia-docker $(DESTDIR)$(DEFAULTSDIR)
	install -m 0755 contrib/systemd/nvidia-docker-plugin-check $(DESTDIR)$(LIBDIR)/nvidia-docker/
	sed -e 's|/usr/bin/nvidia-docker-plugin|$(BINDIR)/nvidia-docker-plugin|g' \
	    -e 's|/usr/lib/nvidia-docker/|$(LIBDIR)/nvidia-docker/|g' \
	    -e 's|/etc/default/|$(DEFAULTSDIR)/|g' \
	  contrib/systemd/nvidia-docker-plugin.service > $(DESTDIR)$(UNITDIR)/nvidia-docker-plugin.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/nvidia-docker-plugin.service
	@# The options file is configuration: never overwrite the administrator's copy.
	@if [ -e $(DESTDIR)$(DEFAULTSDIR)/nvidia-docker-plugin ]; then \
	  echo "keeping existing $(DESTDIR)$(DEFAULTSDIR)/nvidia-docker-plugin"; else \
	  echo "install -m 0644 contrib/default/nvidia-docker-plugin $(DESTDIR)$(DEFAULTSDIR)/"; \
	  install -m 0644 contrib/default/nvidia-docker-plugin $(DESTDIR)$(DEFAULTSDIR)/; fi

uninstall: uninstall-extras
	rm -f $(DESTDIR)$(BINDIR)/nvidia-docker $(DESTDIR)$(BINDIR)/nvidia-docker-plugin
	rm -rf $(DESTDIR)$(LIBDIR)/nvidia-docker

uninstall-extras:
	@for m in $(MAN); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/nvidia-docker $(DESTDIR)$(ZSHCOMPDIR)/_nvidia-docker \
	  $(DESTDIR)$(FISHCOMPDIR)/nvidia-docker.fish $(DESTDIR)$(UNITDIR)/nvidia-docker-plugin.service
	@echo "left in place (configuration): $(DESTDIR)$(DEFAULTSDIR)/nvidia-docker-plugin"

# Debian package: build/nvidia-docker_<version>_<arch>.deb, from a staged `make install` of a
# separate build made with Debian's hardening flags (dpkg-buildflags).
deb:
	MAKE="$(MAKE)" VERSION="$(VERSION)" packaging/debian/build-deb.sh

# The README's first command: set-up, build, then the main job (GPUs given to a container).
demo: deps
	$(MAKE) all $(CHECK_DEPS)
	NVD_BUILD=$(BUILD) NVD_BIN=$(OUT_BIN) demo/demo.sh
