package io.territorysync.console;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a console POST that a viewer may send because it changes nothing (sign-out, validating or
 * previewing rules). Every other console POST needs the admin role.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OpenToViewers {}
